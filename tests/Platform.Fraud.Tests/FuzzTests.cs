using Platform.Testing.Fuzz;
using StackExchange.Redis;
using Xunit.Abstractions;
using Platform.Testing.Contracts;

namespace Platform.Fraud.Tests;

/// <summary>
/// Malformed requests against the fraud service's OpenAPI document: a 4xx problem each, and no velocity is recorded
/// (scoring a malformed request must not count against any card). Seeded; FUZZ_SEED replays a run.
/// </summary>
public sealed class FuzzTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Malformed_scoring_requests_are_refused_with_a_problem_and_record_no_velocity()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        var seed = FuzzSeed.Next();
        await using var factory = new FraudServiceFactory(redis.Server.ConnectionString);
        using var client = factory.CreateContractClient();
        using var anonymous = factory.CreateContractClient();
        anonymous.DefaultRequestHeaders.Remove("X-Api-Key");
        var fuzzer = new OpenApiFuzzer(await client.GetStringAsync("/openapi/v1.json"), seed);
        var cases = fuzzer.Generate(1_000);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var server = connection.GetServers()[0];
        var before = server.Keys(pattern: "*").Select(k => k.ToString()).Order().ToList();

        var answers = await OpenApiFuzzer.RunAsync(cases, client, anonymous);

        var after = server.Keys(pattern: "*").Select(k => k.ToString()).Order().ToList();
        FuzzReport.Write(output, "fraud", seed, fuzzer, answers);
        FuzzReport.AssertRefusedAndUnchanged(seed, answers, after.SequenceEqual(before) ? [] : [$"redis keys ({before.Count} → {after.Count})"]);
    }
}
