using System.Text.Json.Serialization;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.SimControl.Traffic;

/// <summary>Amounts drawn between <c>min</c> and <c>max</c> minor units (log-uniform: small purchases are the common ones).</summary>
public sealed record AmountRange(long Min, long Max);

/// <summary>A merchant traffic buys from, with its relative weight. <c>channel</c>: pos, contactless, atm, ecommerce or moto.</summary>
public sealed record TrafficMerchant(string Name, string Mcc, string Country, string? Channel, double Weight);

/// <summary>Relative weights of the operations. Capture and void need an approved authorization of the run, refund a
/// captured one; until one exists, that slot authorizes instead.</summary>
public sealed record OperationMix(double Authorize, double Capture, double Void, double Refund);

/// <summary>
/// <c>POST /sim/v1/traffic</c>. Only the rate and the duration are required; the rest defaults to 50 cards, 5–150.00 USD,
/// a mix of everyday merchants and authorizations only.
/// </summary>
public sealed record TrafficRequest(
    double? RatePerSecond,
    int? DurationSeconds,
    int? Cards = null,
    AmountRange? Amount = null,
    IReadOnlyList<TrafficMerchant>? Merchants = null,
    OperationMix? Operations = null) : IOpenApiExample<TrafficRequest>
{
    public static TrafficRequest Example => new(20, 60, 50, new AmountRange(500, 15_000),
        [new("Corner Grocery", "5411", "US", "pos", 3), new("Paperback Books Online", "5942", "US", "ecommerce", 1)],
        new OperationMix(0.8, 0.15, 0.03, 0.02));
}

/// <summary>A request with every default filled in: what the run actually does.</summary>
public sealed record TrafficPlan(double RatePerSecond, int DurationSeconds, int Cards, AmountRange Amount, IReadOnlyList<TrafficMerchant> Merchants, OperationMix Operations);

public static class TrafficStates
{
    public const string Idle = "idle";
    public const string Preparing = "preparing";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Stopped = "stopped";
    public const string Failed = "failed";

    public static bool IsActive(string state) => state is Preparing or Running;
}

public sealed record TrafficLatency(double P50, double P99);

/// <summary>
/// <c>GET /sim/v1/traffic</c>: the current or last run. <c>offered</c> requests were started on schedule, <c>answered</c>
/// got an HTTP answer, <c>unanswered</c> timed out or failed to connect, <c>dropped</c> were not started because
/// <c>maxInFlight</c> requests were still waiting. <c>answers</c> counts HTTP statuses; <c>outcomes</c> counts what the
/// platform decided (<c>00</c> approved, a decline's response code, or the status of a capture, void or refund).
/// </summary>
public sealed record TrafficStatus(
    string? RunId,
    string State,
    string? Detail,
    TrafficPlan? Plan,
    DateTimeOffset? StartedAt,
    DateTimeOffset? RunningSince,
    DateTimeOffset? EndsAt,
    DateTimeOffset? EndedAt,
    int CardsReady,
    long Offered,
    long Answered,
    long Unanswered,
    long Dropped,
    long InFlight,
    double AchievedRatePerSecond,
    IReadOnlyDictionary<string, long> Answers,
    IReadOnlyDictionary<string, long> Outcomes,
    IReadOnlyDictionary<string, long> Operations,
    TrafficLatency LatencyMs,
    string? Instance)
{
    public static readonly TrafficStatus Idle = new(null, TrafficStates.Idle, null, null, null, null, null, null, 0, 0, 0, 0, 0, 0, 0,
        new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>(), new TrafficLatency(0, 0), null);
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TrafficStatus))]
[JsonSerializable(typeof(TrafficRequest))]
internal sealed partial class TrafficJsonContext : JsonSerializerContext;
