using System.Net.Http.Headers;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Platform.SimControl.Processor;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Journal;

/// <summary>What a replay came to.</summary>
internal abstract record ReplayOutcome
{
    public sealed record Replayed(JournalReplay Answer) : ReplayOutcome;
    public sealed record NotFound : ReplayOutcome;
    public sealed record NotReplayable(string Reason) : ReplayOutcome;
}

/// <summary>
/// Sends a journal entry's request to the simulator again, over HTTP to this instance so that it goes through
/// everything the first one did (validation, settings, the journal itself): same method, path, body and
/// <c>X-Sim-Scenario</c> header, and a fresh idempotency key unless asked to keep the recorded one (to see the
/// simulator's idempotent answer). It presents the platform's own credential for that simulator, as the first request did.
/// </summary>
internal sealed class JournalReplayer(
    JournalStore store, IHttpClientFactory clients, IServer server, IDataProtectionProvider protection, IOptions<JournalOptions> options,
    IOptions<ProcessorOptions> processor, IOptions<Bureau.BureauOptions> bureau)
{
    public const string HttpClientName = "journal-replay";
    private readonly IDataProtector protector = protection.CreateProtector(JournalWriter.ReplayPurpose);

    public async Task<ReplayOutcome> ReplayAsync(string id, bool keepIdempotencyKey, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } stored) return new ReplayOutcome.NotFound();
        var entry = stored.Entry;
        if (entry.Method != HttpMethods.Post) return new ReplayOutcome.NotReplayable("Only simulated POST requests can be replayed.");
        byte[]? body;
        try
        {
            body = stored.SealedRequest is { } sealedRequest ? protector.Unprotect(Convert.FromBase64String(sealedRequest))
                : entry.Request is { } shown ? System.Text.Encoding.UTF8.GetBytes(shown.GetRawText())
                : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return new ReplayOutcome.NotReplayable("The request was sealed with a key this instance no longer has.");
        }
        if (BaseAddress() is not { } baseAddress) return new ReplayOutcome.NotReplayable("This instance has no HTTP address to send the replay to.");

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, entry.Path));
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        request.Headers.TryAddWithoutValidation(Idempotency.HeaderName, keepIdempotencyKey && entry.IdempotencyKey is { } recorded ? recorded : "replay-" + Guid.NewGuid().ToString("N"));
        if (entry.ScenarioHeader is { } header) request.Headers.TryAddWithoutValidation(SimScenarioHeader.Name, header);
        request.Headers.TryAddWithoutValidation(RequestJournal.ReplayOfHeader, entry.Id);
        var key = entry.Simulator == Stats.Simulators.Bureau ? bureau.Value.ApiKey : processor.Value.ApiKey;
        if (key.Length > 0) request.Headers.TryAddWithoutValidation(ApiKeyAuthenticationOptions.DefaultHeader, key);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ReplayTimeoutSeconds));
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var journalId = response.Headers.TryGetValues(RequestJournal.JournalIdHeader, out var ids) ? ids.FirstOrDefault() : null;
            return new ReplayOutcome.Replayed(new JournalReplay(entry.Id, journalId, (int)response.StatusCode, await OutcomeAsync(response, timeout.Token)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The simulator is holding it (a timeout scenario): the new entry is written when it lets go.
            return new ReplayOutcome.Replayed(new JournalReplay(entry.Id, null, StatusCodes.Status504GatewayTimeout, "timeout"));
        }
    }

    /// <summary>The same outcome the journal records: an authorization's response code, else the HTTP status.</summary>
    private static async Task<string> OutcomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (response.Content.Headers.ContentType?.MediaType != "application/json") return status;
        try
        {
            using var document = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("responseCode", out var code) && code.GetString() is { } responseCode ? responseCode : status;
        }
        catch (System.Text.Json.JsonException)
        {
            return status;
        }
    }

    private Uri? BaseAddress()
    {
        if (options.Value.ReplayBaseAddress is { Length: > 0 } configured) return new Uri(configured);
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault();
        if (address is null) return null;
        // A wildcard listen address is not somewhere to send to; loopback reaches the same server.
        address = address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://[::1]", StringComparison.Ordinal);
        return new Uri(address);
    }
}
