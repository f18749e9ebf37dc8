using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.EndToEnd.Tests;

/// <summary>QA's path through the running platform: the control API, processor-sim, the dashboard command and the audit spine.</summary>
[Collection(PlatformAppCollection.Name)]
public sealed class SimulatorsThroughAppHostTests(PlatformAppFixture platform) : IAsyncLifetime
{
    private readonly HttpClient simControl = platform.CreateSimControlClient();
    private readonly HttpClient api = platform.OperatorApi;

    [Fact]
    public async Task Approval_rate_zero_set_through_the_control_api_makes_processor_sim_decline()
    {
        var update = await simControl.PutAsJsonAsync("/sim/v1/processor/settings", new { approvalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0 });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        var authorization = await AuthorizeAsync(amount: 1_250);

        Assert.False(authorization.GetProperty("approved").GetBoolean());
        Assert.NotEqual("00", authorization.GetProperty("responseCode").GetString());
    }

    [Fact]
    public async Task The_dashboard_reset_command_restores_the_default_settings()
    {
        var defaults = await simControl.GetFromJsonAsync<JsonElement>("/sim/v1/processor/settings");
        await simControl.PutAsJsonAsync("/sim/v1/processor/settings", new { approvalRate = 0.1 });

        var commands = platform.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync("simcontrol", "reset-simulators");

        Assert.True(result.Success, result.Message);
        var after = await simControl.GetFromJsonAsync<JsonElement>("/sim/v1/processor/settings");
        Assert.Equal(defaults.GetProperty("approvalRate").GetDouble(), after.GetProperty("approvalRate").GetDouble());
    }

    [Fact]
    public async Task A_settings_change_reaches_the_api_audit_chain_with_who_and_before_and_after()
    {
        var actor = $"e2e-qa-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Put, "/sim/v1/bureau/settings")
        {
            Content = JsonContent.Create(new { defaultScoreMean = 610 }),
        };
        request.Headers.Add("X-Sim-Actor", actor);
        var response = await simControl.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var recorded = await WaitForAuditEventAsync(e => e.GetProperty("actorId").GetString() == actor, TimeSpan.FromSeconds(30));

        Assert.Equal("simcontrol", recorded.GetProperty("originService").GetString());
        var details = recorded.GetProperty("details");
        Assert.Equal(610, details.GetProperty("after").GetProperty("defaultScoreMean").GetDouble());
        Assert.NotEqual(610, details.GetProperty("before").GetProperty("defaultScoreMean").GetDouble());
        var chain = await api.GetFromJsonAsync<JsonElement>("/v1/audit/verify");
        Assert.True(chain.GetProperty("intact").GetBoolean());
    }

    private async Task<JsonElement> AuthorizeAsync(long amount)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations")
        {
            Content = JsonContent.Create(new
            {
                cardToken = "tok_e2e_" + Guid.NewGuid().ToString("N")[..12],
                amount,
                currency = "USD",
                merchant = new { name = "Corner Grocery", mcc = "5411", country = "US" },
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await simControl.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> WaitForAuditEventAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            long after = 0;
            while (true)
            {
                var page = await api.GetFromJsonAsync<JsonElement>($"/v1/audit/events?limit=500&afterSequence={after}");
                foreach (var auditEvent in page.GetProperty("events").EnumerateArray())
                {
                    if (match(auditEvent)) return auditEvent;
                }
                if (page.GetProperty("nextAfterSequence").ValueKind != JsonValueKind.Number) break;
                after = page.GetProperty("nextAfterSequence").GetInt64();
            }
            Assert.True(DateTime.UtcNow < deadline, "The settings change never reached the audit spine.");
            await Task.Delay(250);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The app is shared by the collection: leave the simulators as the next test expects them.</summary>
    public async Task DisposeAsync()
    {
        await simControl.PostAsync("/sim/v1/reset", content: null);
        simControl.Dispose();
    }
}
