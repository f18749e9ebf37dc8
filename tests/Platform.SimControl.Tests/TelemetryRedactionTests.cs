using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using Platform.Testing;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>
/// An SSN a caller puts in a URL (an old client, a typo) never leaves in what simcontrol exports: not in a span's
/// url.path or name, not in a log line, even when the request fails before any endpoint runs.
/// </summary>
public sealed class TelemetryRedactionTests : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();

    public Task InitializeAsync() => stores.InitializeAsync();

    public Task DisposeAsync() => stores.DisposeAsync();

    [Fact]
    public async Task Failing_requests_with_an_ssn_in_the_path_export_spans_and_logs_without_it()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        var spans = new List<Activity>();
        var logs = new List<LogRecord>();
        await using var sim = new SimControlFactory(await stores.Postgres.CreateDatabaseAsync("telemetry"), stores.Redis.ConnectionString, "http://127.0.0.1:9")
            // Every trace exported: the test is about what an exported span holds, and the background workers' own
            // root spans would otherwise use up a second's sampling budget before the requests under test start.
            .WithWebHostBuilder(b => b.UseSetting("Telemetry:TracesPerSecond", "0").ConfigureTestServices(services =>
            {
                services.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(spans)).WithLogging(l => l.AddInMemoryExporter(logs));
            }));
        using var client = sim.CreateContractClient();

        // The old address of an override, a typo under the processor's API, a body that does not bind, and a query
        // value that does not parse: each fails before or while binding.
        using var oldPath = await client.PutAsync("/sim/v1/bureau/applicants/123-45-6789", new StringContent("{\"flags\": []}", Encoding.UTF8, "application/json"));
        using var typo = await client.GetAsync("/processor/v1/cardz/4111111111111111");
        using var badQuery = await client.GetAsync("/sim/v1/history?count=123456789x");
        using var badBody = await client.PutAsync("/sim/v1/bureau/applicants", new StringContent("{\"ssn\": \"987-65-4321\", \"score\": \"high\"}", Encoding.UTF8, "application/json"));
        // A server span ends as its response completes, a moment after the client has it.
        sim.Services.GetRequiredService<TracerProvider>().ForceFlush();
        // (The contract check's fetch of the document, before the first request, is a server span of its own.)
        await Poll.UntilAsync(() => Task.FromResult(spans.Count(s => s.Kind == ActivityKind.Server && !s.DisplayName.Contains("openapi", StringComparison.Ordinal))), n => n >= 4);

        Assert.All(new[] { oldPath, typo, badQuery, badBody }, r => Assert.InRange((int)r.StatusCode, 400, 499));
        // The exporters' lists grow from the background workers' threads; read them once the host has stopped.
        await sim.DisposeAsync();
        var exported = new StringBuilder();
        foreach (var span in spans)
        {
            exported.AppendLine(span.DisplayName);
            foreach (var tag in span.TagObjects) exported.AppendLine($"{tag.Key}={tag.Value}");
        }
        foreach (var log in logs)
        {
            exported.AppendLine(log.FormattedMessage ?? log.Body);
            foreach (var attribute in log.Attributes ?? []) exported.AppendLine($"{attribute.Key}={attribute.Value}");
            log.ForEachScope((scope, text) => { foreach (var item in scope) text.AppendLine($"{item.Key}={item.Value}"); }, exported);
            exported.AppendLine(log.Exception?.ToString());
        }
        var text = exported.ToString();
        Assert.Contains("/sim/v1/bureau/applicants/{redacted}", text, StringComparison.Ordinal);
        foreach (var secret in new[] { "123-45-6789", "123456789", "4111111111111111", "987-65-4321", "987654321" })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
    }
}
