using System.Net;
using System.Text;
using Platform.Testing.Contracts;

namespace Platform.Fraud.Tests;

/// <summary>Scoring feeds velocity: only the platform, holding the internal key, may score.</summary>
public sealed class ScoringAccessTests : IClassFixture<RedisFixture>, IDisposable
{
    private readonly FraudServiceFactory factory;

    public ScoringAccessTests(RedisFixture redis) => factory = new FraudServiceFactory(redis.Server.ConnectionString);

    [Theory]
    [InlineData("/v1/score/transaction", null)]
    [InlineData("/v1/score/application", null)]
    [InlineData("/v1/score/transaction", "not-the-internal-key-000000")]
    public async Task A_caller_without_the_internal_key_is_refused_before_anything_is_scored(string path, string? key)
    {
        // A stranger's request is as malformed as a stranger likes; the 401 must still be the document's.
        using var hostile = ContractValidation.AllowInvalidRequests();

        using var client = factory.CreateContractClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);

        using var response = await client.PostAsync(path, new StringContent("{\"cardId\":", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => factory.Dispose();
}
