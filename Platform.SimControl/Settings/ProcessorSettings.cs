using Platform.ServiceDefaults.OpenApi;

namespace Platform.SimControl.Settings;

/// <summary>The operations processor-sim offers; each can carry its own overrides of the processor-wide behaviour.</summary>
public static class ProcessorOperations
{
    public const string Authorize = "authorize";
    public const string Capture = "capture";
    public const string Refund = "refund";
    public const string Void = "void";
    public const string IssueCard = "issueCard";

    public static readonly IReadOnlyList<string> All = [Authorize, Capture, Refund, Void, IssueCard];
}

/// <summary>A latency distribution: QA states three points and the simulator draws from a shifted log-normal through them.</summary>
public sealed class LatencySettings
{
    public int Min { get; set; }
    public int Median { get; set; }
    public int P99 { get; set; }

    public LatencySettings Clone() => new() { Min = Min, Median = Median, P99 = P99 };
}

/// <summary>
/// How processor-sim behaves. The top-level fields apply to every operation; <see cref="Operations"/> overrides
/// them for one operation (a null field inherits). <see cref="ApprovalRate"/> is the share of authorizations approved;
/// for capture, refund, void and physical-card delivery the share that complete successfully is set per operation
/// (default 1).
/// </summary>
public sealed class ProcessorSettings : IVersionedSettings<ProcessorSettings>, IOpenApiExample<ProcessorSettings>
{
    /// <summary>The defaults; a PUT may send any subset of the fields.</summary>
    public static ProcessorSettings Example => new();

    /// <summary>Share of requests approved (0–1).</summary>
    public double ApprovalRate { get; set; } = 0.95;

    /// <summary>Share of approved authorizations that are only partially approved (0–1).</summary>
    public double PartialApprovalRate { get; set; }

    /// <summary>ISO 8583 response code → relative weight, used to pick the code of a decline.</summary>
    public Dictionary<string, double> DeclineCodes { get; set; } = new()
    {
        ["05"] = 0.4, ["51"] = 0.4, ["54"] = 0.1, ["59"] = 0.1,
    };

    /// <summary>Share of requests answered with an HTTP 5xx (0–1).</summary>
    public double ErrorRate { get; set; }

    /// <summary>The HTTP status of a simulated error (500–599).</summary>
    public int ErrorStatusCode { get; set; } = 503;

    /// <summary>Share of requests that never answer before the caller gives up (0–1).</summary>
    public double TimeoutRate { get; set; }

    public LatencySettings LatencyMs { get; set; } = new() { Min = 5, Median = 20, P99 = 80 };

    /// <summary>Delay before an accepted asynchronous operation completes and its webhook is sent.</summary>
    public int WebhookDelayMs { get; set; } = 1000;

    /// <summary>Share of webhook delivery attempts the simulator deliberately fails (they are retried with backoff).</summary>
    public double WebhookFailureRate { get; set; }

    /// <summary>
    /// Share of webhook deliveries sent twice at the same moment (same id, same body), as an at-least-once sender may:
    /// two copies racing to the receiver, which must apply the event once.
    /// </summary>
    public double WebhookDuplicateRate { get; set; }

    /// <summary>
    /// Share of webhooks held back before their first delivery by a random delay of up to
    /// <see cref="WebhookReorderDelayMs"/>, so events sent after them arrive first.
    /// </summary>
    public double WebhookReorderRate { get; set; }

    /// <summary>The longest a reordered webhook is held back.</summary>
    public int WebhookReorderDelayMs { get; set; } = 2000;

    /// <summary>After a settings change, this many calls fail with <see cref="ErrorStatusCode"/> before normal behaviour resumes.</summary>
    public int FailFirstCalls { get; set; }

    /// <summary>With a seed, the same sequence of requests gets the same outcomes (across instances).</summary>
    public long? Seed { get; set; }

    /// <summary>Per-operation overrides, keyed by a name from <see cref="ProcessorOperations"/>.</summary>
    public Dictionary<string, ProcessorOperationOverrides> Operations { get; set; } = [];

    /// <summary>Bumped by the store on every change; ignored on update.</summary>
    public long Version { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    public ProcessorSettings Clone() => SettingsJson.Clone(this);

    /// <summary>The effective behaviour of one operation: its overrides over the processor-wide values.</summary>
    public EffectiveOperationSettings For(string operation)
    {
        Operations.TryGetValue(operation, out var o);
        return new EffectiveOperationSettings(
            operation,
            // Only authorizations use the processor-wide approval rate; the asynchronous operations succeed unless
            // QA sets a rate for that operation, so lowering approvals does not also start failing captures.
            o?.ApprovalRate ?? (operation == ProcessorOperations.Authorize ? ApprovalRate : 1.0),
            o?.ErrorRate ?? ErrorRate,
            o?.TimeoutRate ?? TimeoutRate,
            o?.LatencyMs ?? LatencyMs,
            o?.WebhookDelayMs ?? WebhookDelayMs,
            o?.WebhookFailureRate ?? WebhookFailureRate);
    }
}

/// <summary>Overrides for one processor operation; a null field inherits the processor-wide value.</summary>
public sealed class ProcessorOperationOverrides
{
    public double? ApprovalRate { get; set; }
    public double? ErrorRate { get; set; }
    public double? TimeoutRate { get; set; }
    public LatencySettings? LatencyMs { get; set; }
    public int? WebhookDelayMs { get; set; }
    public double? WebhookFailureRate { get; set; }
}

public sealed record EffectiveOperationSettings(
    string Operation,
    double ApprovalRate,
    double ErrorRate,
    double TimeoutRate,
    LatencySettings LatencyMs,
    int WebhookDelayMs,
    double WebhookFailureRate);

/// <summary>ISO 8583 response codes processor-sim may answer with.</summary>
public static class Iso8583ResponseCodes
{
    public const string Approved = "00";

    public static readonly IReadOnlyDictionary<string, string> Declines = new Dictionary<string, string>
    {
        ["01"] = "Refer to card issuer",
        ["03"] = "Invalid merchant",
        ["04"] = "Pick up card",
        ["05"] = "Do not honor",
        ["12"] = "Invalid transaction",
        ["13"] = "Invalid amount",
        ["14"] = "Invalid card number",
        ["41"] = "Lost card, pick up",
        ["43"] = "Stolen card, pick up",
        ["51"] = "Insufficient funds",
        ["54"] = "Expired card",
        ["55"] = "Incorrect PIN",
        ["57"] = "Transaction not permitted to cardholder",
        ["59"] = "Suspected fraud",
        ["61"] = "Exceeds withdrawal amount limit",
        ["62"] = "Restricted card",
        ["65"] = "Exceeds withdrawal frequency limit",
        ["75"] = "Allowable number of PIN tries exceeded",
        ["91"] = "Issuer or switch inoperative",
        ["96"] = "System malfunction",
        ["N7"] = "Decline for CVV2 failure",
    };

    /// <summary>Partial approval (ISO 8583 "10").</summary>
    public const string PartiallyApproved = "10";

    public static bool IsKnownDecline(string code) => Declines.ContainsKey(code);
}
