using Microsoft.Extensions.DependencyInjection;
using Platform.SimControl.Settings;
using Platform.Testing;
using Platform.Testing.Fuzz;
using Xunit.Abstractions;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>
/// Malformed requests against every operation of simcontrol's OpenAPI document (processor-sim, bureau-sim, the
/// control API): a 4xx problem each, never HTML from the panel's error page, and neither the simulators' records nor
/// their settings change. Seeded; FUZZ_SEED replays a run.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();

    public Task InitializeAsync() => stores.InitializeAsync();

    public Task DisposeAsync() => stores.DisposeAsync();

    [Fact]
    public async Task Malformed_requests_to_every_operation_are_refused_with_a_problem_and_change_nothing()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        var seed = FuzzSeed.Next();
        var database = await stores.Postgres.CreateDatabaseAsync("fuzz");
        await using var sim = new SimControlFactory(database, stores.Redis.ConnectionString, "http://127.0.0.1:9");
        using var client = sim.CreateContractClient();
        using var anonymous = sim.CreateAnonymousClient();
        var store = sim.Services.GetRequiredService<ISimulatorSettingsStore>();
        // No simulated latency, so the run is about answers, not waiting.
        var processor = await store.GetProcessorSettingsAsync();
        processor.LatencyMs = new LatencySettings();
        await store.UpdateProcessorSettingsAsync(processor, SettingsActor.System);
        var bureau = await store.GetBureauSettingsAsync();
        bureau.LatencyMs = new LatencySettings();
        await store.UpdateBureauSettingsAsync(bureau, SettingsActor.System);
        var fuzzer = new OpenApiFuzzer(await client.GetStringAsync("/openapi/v1.json"), seed);
        var cases = fuzzer.Generate(1_200);
        var before = (await StoreSnapshot.TakeAsync(database), await SettingsAsync(client));

        var answers = await OpenApiFuzzer.RunAsync(cases, client, anonymous);

        var after = (await StoreSnapshot.TakeAsync(database), await SettingsAsync(client));
        var changed = StoreSnapshot.Changed(before.Item1, after.Item1).ToList();
        if (before.Item2 != after.Item2) changed.Add("simulator settings");
        FuzzReport.Write(output, "simcontrol", seed, fuzzer, answers);
        FuzzReport.AssertRefusedAndUnchanged(seed, answers, changed);
    }

    private static async Task<string> SettingsAsync(HttpClient client) =>
        await client.GetStringAsync("/sim/v1/processor/settings") + await client.GetStringAsync("/sim/v1/bureau/settings")
        + await client.GetStringAsync("/sim/v1/bureau/applicants") + await client.GetStringAsync("/sim/v1/scenarios");
}
