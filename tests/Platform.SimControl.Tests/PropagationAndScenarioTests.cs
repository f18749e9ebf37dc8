using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class PropagationAndScenarioTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync(p => p.ApprovalRate = 1);
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_change_on_one_instance_changes_the_next_request_on_the_other()
    {
        Assert.True((await Sim.AuthorizeAsync(fixture.SecondClient)).GetProperty("approved").GetBoolean());

        using var put = await fixture.Client.PutAsJsonAsync("/sim/v1/processor/settings", new { approvalRate = 0.0 });
        put.EnsureSuccessStatusCode();

        Assert.False((await Sim.AuthorizeAsync(fixture.SecondClient)).GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task A_change_whose_notice_never_arrives_is_picked_up_by_the_periodic_version_check()
    {
        Assert.True((await Sim.AuthorizeAsync(fixture.SecondClient)).GetProperty("approved").GetBoolean());

        // Written straight to Redis with the version bumped and no notice published: a notice lost on the way.
        var silent = await fixture.Store.GetProcessorSettingsAsync();
        silent.ApprovalRate = 0;
        await fixture.Redis.StringSetAsync(SimRedisKeys.ProcessorSettings, SettingsJson.Serialize(silent));
        await fixture.Redis.StringIncrementAsync(SimRedisKeys.SettingsVersion);

        await Poll.UntilAsync(async () => (await Sim.AuthorizeAsync(fixture.SecondClient)).GetProperty("approved").GetBoolean(), approved => !approved, timeoutMs: 5000);
        await Poll.UntilAsync(async () => (await Sim.AuthorizeAsync(fixture.Client)).GetProperty("approved").GetBoolean(), approved => !approved, timeoutMs: 5000);
    }

    [Fact]
    public async Task The_other_instance_is_notified_of_a_change()
    {
        var otherStore = fixture.Second.Services.GetRequiredService<ISimulatorSettingsStore>();
        var notified = new TaskCompletionSource<SettingsChangeNotification>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(object? sender, SettingsChangeNotification n) { if (n.Kind == SettingsChangeKinds.Bureau) notified.TrySetResult(n); }
        otherStore.Changed += OnChanged;
        try
        {
            using var put = await fixture.Client.PutAsJsonAsync("/sim/v1/bureau/settings", new { defaultScoreMean = 600 });

            var notification = await notified.Task.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(600, (await otherStore.GetBureauSettingsAsync()).DefaultScoreMean);
            Assert.True(notification.Version > 0);
        }
        finally
        {
            otherStore.Changed -= OnChanged;
        }
    }

    [Fact]
    public async Task Processor_outage_scenario_fails_every_call_on_every_instance()
    {
        using var applied = await fixture.Client.PostAsync("/sim/v1/scenarios/processor-outage/apply", null);

        using var first = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization());
        using var second = await Sim.PostAsync(fixture.SecondClient, "/processor/v1/authorizations", Sim.Authorization());

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
    }

    [Fact]
    public async Task First_five_calls_fail_then_the_processor_recovers()
    {
        using var applied = await fixture.Client.PostAsync("/sim/v1/scenarios/first-5-fail-then-recover/apply", null);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await Sim.PostAsync(i % 2 == 0 ? fixture.Client : fixture.SecondClient, "/processor/v1/authorizations", Sim.Authorization());
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.ServiceUnavailable, 5), HttpStatusCode.OK, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task A_timed_scenario_reverts_to_the_previous_settings_when_it_ends()
    {
        using var applied = await fixture.Client.PostAsync("/sim/v1/scenarios/bureau-down/apply?durationSeconds=1", null);
        var body = await applied.JsonAsync();
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("endsAt").ValueKind);
        using var during = await fixture.Client.PostAsJsonAsync("/bureau/v1/credit-reports", Sim.Applicant("123-45-6789", "soft"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);

        await Poll.UntilAsync(() => fixture.Store.GetBureauSettingsAsync(), b => b.ErrorRate == 0, timeoutMs: 5000);

        using var after = await fixture.SecondClient.PostAsJsonAsync("/bureau/v1/credit-reports", Sim.Applicant("123-45-6789", "soft"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/scenarios")).GetProperty("active").ValueKind);
        Assert.Contains(await fixture.Store.GetHistoryAsync(5), c => c.Summary.Contains("bureau-down ended", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_scenario_list_has_the_named_presets_and_an_unknown_name_is_not_found()
    {
        var list = await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/scenarios");
        using var unknown = await fixture.Client.PostAsync("/sim/v1/scenarios/no-such-thing/apply", null);

        var names = list.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        foreach (var name in new[] { "all-good", "processor-outage", "slow-processor", "flaky-30", "first-5-fail-then-recover", "bureau-down", "bureau-slow", "low-score-population", "processor-outage-60s" })
            Assert.Contains(name, names);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
