using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Platform.SimControl.Settings;

internal sealed record ServiceAuditEvent(
    string EventType, string ActorType, string ActorId, string Outcome, string? OriginIp, string? OriginService,
    string? ResourceType, string? ResourceId, JsonElement? Details);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServiceAuditEvent))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;

/// <summary>
/// Drains the Redis audit queue into the API's audit spine, oldest first. A change is removed from the queue only
/// after the API has stored it, so an API outage delays the audit trail but never loses a change. One instance
/// forwards at a time (a Redis lease), which keeps the order and avoids duplicates.
/// </summary>
internal sealed class AuditForwarder(
    IConnectionMultiplexer redis, IHttpClientFactory httpClientFactory, IOptions<AuditForwardingOptions> options, ILogger<AuditForwarder> logger)
    : BackgroundService
{
    public const string HttpClientName = "simcontrol-audit";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly RedisKey DeadLetters = "sim:audit:dead";

    // Removes the oldest item only if it is still the one we sent.
    private const string PopIfOldest = "if redis.call('lindex', KEYS[1], -1) == ARGV[1] then return redis.call('rpop', KEYS[1]) end return false";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        var backoff = TimeSpan.FromMilliseconds(500);
        var warnedNoKey = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = TimeSpan.FromMilliseconds(500);
            try
            {
                if (string.IsNullOrEmpty(options.Value.ApiKey) || string.IsNullOrEmpty(options.Value.ApiBaseUrl))
                {
                    if (!warnedNoKey) logger.LogWarning("AuditForwarding:ApiBaseUrl or AuditForwarding:ApiKey is not set; settings changes stay queued for the audit spine");
                    warnedNoKey = true;
                }
                else
                {
                    var db = redis.GetDatabase();
                    var leased = await BackgroundTelemetry.UntracedAsync(async () =>
                        await db.StringSetAsync(SimRedisKeys.AuditForwarderLock, owner, Lease, When.NotExists)
                        || (await db.StringGetAsync(SimRedisKeys.AuditForwarderLock) == owner
                            && await db.KeyExpireAsync(SimRedisKeys.AuditForwarderLock, Lease)));
                    if (leased)
                    {
                        var sent = await DrainAsync(db, stoppingToken);
                        backoff = TimeSpan.FromMilliseconds(500);
                        if (sent > 0) delay = TimeSpan.Zero;
                    }
                }
            }
            // Whatever fails (the API away, Redis away, a fault in the HTTP stack), forwarding pauses and resumes; an
            // exception escaping here would stop simcontrol and with it both simulators.
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Audit forwarding paused: {Reason}; retrying in {Delay}", ex.Message, backoff);
                delay = backoff;
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 30_000));
            }
            if (delay > TimeSpan.Zero) await Task.Delay(delay, stoppingToken);
        }
    }

    private async Task<int> DrainAsync(IDatabase db, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < 100)
        {
            var oldest = await BackgroundTelemetry.UntracedAsync(() => db.ListGetByIndexAsync(SimRedisKeys.AuditOutbox, -1));
            if (oldest.IsNull) return sent;
            var item = SettingsJson.Deserialize<AuditForwardItem>(oldest);
            if (item is not null)
            {
                var change = item.Change;
                var details = JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement?>
                {
                    ["changeId"] = JsonSerializer.SerializeToElement(change.Id),
                    ["kind"] = JsonSerializer.SerializeToElement(change.Kind),
                    ["at"] = JsonSerializer.SerializeToElement(change.At),
                    ["summary"] = JsonSerializer.SerializeToElement(change.Summary),
                    ["before"] = change.Before,
                    ["after"] = change.After,
                });
                var body = new ServiceAuditEvent($"simulator.{change.Kind}.changed", change.ActorType, change.ActorId, "success",
                    change.OriginIp, "simcontrol", "simulator-settings", change.Target, details);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.Value.ApiBaseUrl), "/internal/v1/audit/events"))
                {
                    Content = JsonContent.Create(body, AuditJsonContext.Default.ServiceAuditEvent),
                };
                request.Headers.Add(AuditForwardingOptions.KeyHeader, options.Value.ApiKey);
                using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
                if (response.StatusCode == System.Net.HttpStatusCode.BadRequest)
                {
                    // The API will never accept this one; park it rather than block every later change.
                    await db.ListLeftPushAsync(DeadLetters, oldest);
                    logger.LogError("Audit spine refused settings change {ChangeId}; moved to {Key}", change.Id, (string?)DeadLetters);
                }
                else if (!response.IsSuccessStatusCode)
                {
                    throw new AuditRejectedException($"audit API answered {(int)response.StatusCode}");
                }
            }
            await db.ScriptEvaluateAsync(PopIfOldest, [SimRedisKeys.AuditOutbox], [oldest]);
            sent++;
        }
        return sent;
    }

    private sealed class AuditRejectedException(string message) : Exception(message);
}
