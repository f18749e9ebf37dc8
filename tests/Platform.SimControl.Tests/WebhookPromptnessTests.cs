using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Platform.SimControl.Settings;
using Platform.Testing;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>
/// An operation accepted with no webhook delay is completed and its webhook sent at once by the instance that took
/// it, not at the workers' next polls: here the polls are 10 s apart (the most the options allow), so a webhook that
/// waited for them would come seconds late; woken, it comes in milliseconds.
/// </summary>
public sealed class WebhookPromptnessTests : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();
    private Receiver receiver = null!;
    private WebApplicationFactory<Program> sim = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        receiver = await Receiver.StartAsync();
        sim = new SimControlFactory(await stores.Postgres.CreateDatabaseAsync("promptness"), stores.Redis.ConnectionString, receiver.BaseUrl)
            .WithWebHostBuilder(b => b.UseSetting("Processor:WorkerPollMs", "10000"));
        client = sim.CreateContractClient();
        if (!client.DefaultRequestHeaders.Contains(TestCredentials.ApiKeyHeader))
            client.DefaultRequestHeaders.Add(TestCredentials.ApiKeyHeader, TestCredentials.ProcessorApiKey);

        var store = sim.Services.GetRequiredService<ISimulatorSettingsStore>();
        var processor = await store.GetProcessorSettingsAsync();
        processor.ApprovalRate = 1;
        processor.LatencyMs = new LatencySettings();
        processor.WebhookDelayMs = 0;
        Assert.True((await store.UpdateProcessorSettingsAsync(processor, SettingsActor.System)).Succeeded);
        (await client.PutAsJsonAsync("/processor/v1/webhook-endpoint", new { url = receiver.BaseUrl + "/webhooks" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await sim.DisposeAsync();
        await receiver.DisposeAsync();
        await stores.DisposeAsync();
    }

    [Fact]
    public async Task Captures_with_no_webhook_delay_are_reported_without_waiting_for_a_poll()
    {
        // Twice: the second finds both workers back in their wait, as every capture after the first does.
        for (var i = 0; i < 2; i++)
        {
            var id = (await Sim.AuthorizeAsync(client, 1000)).GetProperty("authorizationId").GetString()!;
            var accepted = Stopwatch.StartNew();
            using var capture = await Sim.PostAsync(client, $"/processor/v1/authorizations/{id}/captures", new { amount = 1000 });
            Assert.Equal(HttpStatusCode.Accepted, capture.StatusCode);

            await receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(id, StringComparison.Ordinal), timeoutMs: 20_000);

            // Generous against a loaded machine, and still far below the 10 s a poll would have taken.
            Assert.True(accepted.Elapsed < TimeSpan.FromSeconds(4), $"webhook {accepted.Elapsed.TotalMilliseconds:0} ms after the capture");
        }
    }
}
