using System.Globalization;
using Platform.Testing;
using Platform.Testing.Fuzz;
using Xunit.Abstractions;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Fuzz;

/// <summary>
/// Malformed requests against every operation of the API's own OpenAPI document (seeded; set FUZZ_SEED to replay a
/// run): each is answered with a 4xx problem (never a 5xx, a 405 or anything but application/problem+json) and
/// nothing in the database changes.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ApiFuzzTests(PlatformStoresFixture stores, ITestOutputHelper output)
{
    public const int Requests = 1_200;

    [Fact]
    public async Task Malformed_requests_to_every_operation_are_refused_with_a_problem_and_change_nothing()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        var seed = FuzzSeed.Next();
        await using var api = await ApiFactory.StartAsync(stores);
        using var operatorClient = await api.CreateOperatorClientAsync();
        using var anonymous = api.CreateContractClient();
        var fuzzer = new OpenApiFuzzer(await anonymous.GetStringAsync("/openapi/v1.json"), seed);
        var cases = fuzzer.Generate(Requests);
        var before = await StoreSnapshot.TakeAsync(api.DatabaseConnectionString);

        var answers = await OpenApiFuzzer.RunAsync(cases, operatorClient, anonymous);

        var changed = StoreSnapshot.Changed(before, await StoreSnapshot.TakeAsync(api.DatabaseConnectionString));
        FuzzReport.Write(output, "api", seed, fuzzer, answers);
        FuzzReport.AssertRefusedAndUnchanged(seed, answers, changed);
    }
}
