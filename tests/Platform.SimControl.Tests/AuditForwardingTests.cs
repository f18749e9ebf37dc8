using System.Net.Http.Json;
using System.Text.Json;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class AuditForwardingTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_change_reaches_the_audit_spine_even_when_the_api_is_briefly_down()
    {
        fixture.Receiver.Respond = (path, n) => path == "/internal/v1/audit/events" && n <= 3 ? 503 : 201;
        using var request = new HttpRequestMessage(HttpMethod.Put, "/sim/v1/processor/settings") { Content = JsonContent.Create(new { approvalRate = 0.33 }) };
        request.Headers.Add("X-Sim-Actor", "audit-test");
        using var put = await fixture.Client.SendAsync(request);
        put.EnsureSuccessStatusCode();

        var events = await fixture.Receiver.WaitForAsync(r => r.Path == "/internal/v1/audit/events" && r.Body.Contains("audit-test", StringComparison.Ordinal), timeoutMs: 15_000);

        var received = events.Single();
        Assert.Equal(SimControlFactory.InternalApiKey, received.Headers["X-Internal-Api-Key"]);
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("simulator.processor.changed", body.GetProperty("eventType").GetString());
        Assert.Equal("simcontrol", body.GetProperty("originService").GetString());
        Assert.Equal(0.95, body.GetProperty("details").GetProperty("before").GetProperty("approvalRate").GetDouble());
        Assert.Equal(0.33, body.GetProperty("details").GetProperty("after").GetProperty("approvalRate").GetDouble());
    }
}
