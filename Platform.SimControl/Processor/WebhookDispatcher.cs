using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Processor;

/// <summary>
/// How processor-sim signs webhooks, for the receiver to verify: <c>X-Processor-Signature: v1=&lt;hex&gt;</c> where hex is
/// HMAC-SHA256 with the shared secret over <c>"{X-Processor-Timestamp}.{raw body}"</c>; the timestamp is Unix seconds,
/// so a receiver can refuse stale replays. <c>X-Processor-Webhook-Id</c> is stable across redeliveries (dedupe on it).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Processor-Signature";
    public const string TimestampHeader = "X-Processor-Timestamp";
    public const string WebhookIdHeader = "X-Processor-Webhook-Id";
    public const string EventTypeHeader = "X-Processor-Event-Type";
    public const string AttemptHeader = "X-Processor-Delivery-Attempt";

    public static string Sign(string secret, long timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    public static bool Verify(string secret, string timestampHeader, string body, string signatureHeader) =>
        long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var ts)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, ts, body)), Encoding.ASCII.GetBytes(signatureHeader));
}

/// <summary>
/// What processor-sim's workers are woken by: an operation accepted by this instance (due at once when its webhook
/// delay is 0), and webhooks this instance's completer has just queued. Without them a capture with no delay waited
/// for two polls (≈200 ms at the median) before its webhook left.
/// </summary>
internal sealed class ProcessorWork
{
    public WorkSignal OperationsAccepted { get; } = new();

    public WorkSignal WebhooksQueued { get; } = new();
}

/// <summary>
/// Sends webhooks to the registered endpoint until one answers 2xx, with exponential backoff. A delivery is leased
/// to one instance at a time, so several simcontrol instances never send the same attempt twice.
/// </summary>
internal sealed class WebhookDispatcher(
    WebhookOutbox outbox, WebhookEndpointStore endpoints, RedisSimulatorSettingsStore settings, ProcessorWork work, IHttpClientFactory httpClientFactory,
    IOptions<ProcessorOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "processor-webhooks";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Webhook dispatcher");
        return loop.RunAsync(async token =>
            {
                IReadOnlyList<WebhookOutbox.ClaimedWebhook> batch;
                while ((batch = await BackgroundTelemetry.UntracedAsync(() => outbox.ClaimDueAsync(token))).Count > 0)
                {
                    var endpoint = await endpoints.GetAsync(token);
                    var current = (await settings.GetCurrentAsync()).Processor;
                    await Task.WhenAll(batch.Select(w => DeliverAsync(w, endpoint?.Url, current, token)));
                }
            },
            token => work.WebhooksQueued.WaitAsync(TimeSpan.FromMilliseconds(options.Value.WorkerPollMs), token), stoppingToken);
    }

    private async Task DeliverAsync(WebhookOutbox.ClaimedWebhook webhook, string? url, ProcessorSettings current, CancellationToken cancellationToken)
    {
        if (url is null)
        {
            await outbox.MarkFailedAsync(webhook, null, "No webhook endpoint registered (PUT /processor/v1/webhook-endpoint).", cancellationToken);
            return;
        }
        var operation = webhook.EventType.Split('.')[0] switch
        {
            "capture" => ProcessorOperations.Capture,
            "refund" => ProcessorOperations.Refund,
            "void" => ProcessorOperations.Void,
            _ => ProcessorOperations.IssueCard,
        };
        if (Random.Shared.NextDouble() < current.For(operation).WebhookFailureRate)
        {
            await outbox.MarkFailedAsync(webhook, null, "Simulated delivery failure (webhookFailureRate).", cancellationToken);
            return;
        }
        if (webhook.Attempt == 1 && Random.Shared.NextDouble() < current.WebhookReorderRate)
        {
            // Held back in the table, not in memory, so webhooks claimed after it go out first.
            var holdBack = TimeSpan.FromMilliseconds(1 + Random.Shared.NextDouble() * current.WebhookReorderDelayMs);
            await outbox.HoldBackAsync(webhook, "Held back to arrive out of order (webhookReorderRate).", time.GetUtcNow() + holdBack, cancellationToken);
            return;
        }

        // A duplicate is a second copy sent at the same moment: the receiver sees two identical deliveries race.
        var copies = Random.Shared.NextDouble() < current.WebhookDuplicateRate ? 2 : 1;
        var results = await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => SendAsync(webhook, url, cancellationToken)));
        var result = results.FirstOrDefault(r => r.Delivered) ?? results[0];
        if (result.Delivered)
            await outbox.MarkDeliveredAsync(webhook, result.StatusCode!.Value, cancellationToken);
        else
            await outbox.MarkFailedAsync(webhook, result.StatusCode, result.Error!, cancellationToken);
    }

    private sealed record DeliveryResult(bool Delivered, int? StatusCode, string? Error);

    private async Task<DeliveryResult> SendAsync(WebhookOutbox.ClaimedWebhook webhook, string url, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(webhook.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.WebhookIdHeader, webhook.WebhookId);
        request.Headers.Add(WebhookSignature.EventTypeHeader, webhook.EventType);
        request.Headers.Add(WebhookSignature.AttemptHeader, webhook.Attempt.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(o.WebhookSecret, timestamp, webhook.Payload));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(o.WebhookTimeoutMs);
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? new(true, status, null) : new(false, status, $"Receiver answered {status}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure to send (a refused connection, a timeout, a fault inside the HTTP stack) is a failed attempt,
            // tried again after the backoff.
            return new(false, null, ex.GetType().Name + ": " + ex.Message);
        }
    }
}
