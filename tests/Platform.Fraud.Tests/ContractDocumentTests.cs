using Platform.Testing.Contracts;

namespace Platform.Fraud.Tests;

/// <summary>The fraud service's OpenAPI document: committed as <c>openapi/fraud.json</c>, complete for client developers.</summary>
[Collection(RedisCollection.Name)]
public sealed class ContractDocumentTests(RedisFixture redis)
{
    [Fact]
    public async Task The_served_document_is_the_committed_contract()
    {
        await using var factory = new FraudServiceFactory(redis.Server.ConnectionString);
        using var client = factory.CreateClient();

        ContractDocuments.AssertCommitted("fraud", await ContractDocuments.ServedAsync(client));
    }

    [Fact]
    public async Task Every_operation_is_named_summarised_exemplified_and_refuses_with_problem_details()
    {
        await using var factory = new FraudServiceFactory(redis.Server.ConnectionString);
        using var client = factory.CreateClient();

        var problems = DocumentRules.Check(ServiceContract.Parse(await ContractDocuments.ServedAsync(client)));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
