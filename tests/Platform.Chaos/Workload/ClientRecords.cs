using System.Collections.Concurrent;
using System.Text.Json;

namespace Platform.Chaos.Workload;

/// <summary>An account the operator opened for a customer.</summary>
internal sealed record AccountRecord(Guid Id, long CreditLimit);

/// <summary>A card request as the customer made it and what it saw of it.</summary>
internal sealed class CardRecord(string key, string body, Guid accountId)
{
    public string Key { get; } = key;
    public string Body { get; } = body;
    public Guid AccountId { get; } = accountId;
    public Answer? First { get; set; }
    public Guid? Id { get; set; }
    public string? Status { get; set; }
}

/// <summary>
/// One authorize request (one idempotency key and body) and what the customer saw of it. The merchant name carries
/// the operation index, so processor-sim's own record of it can be found again.
/// </summary>
internal sealed class AuthorizationRecord(int index, string key, string body, Guid cardId, Guid accountId, long amount, string merchant)
{
    public int Index { get; } = index;
    public string Key { get; } = key;
    public string Body { get; } = body;
    public Guid CardId { get; } = cardId;
    public Guid AccountId { get; } = accountId;
    public long Amount { get; } = amount;
    public string Merchant { get; } = merchant;

    /// <summary>The first conclusive answer (200), during the run or when read back in the heal.</summary>
    public Answer? First { get; set; }
    public bool AnsweredDuringRun { get; set; }
    public Guid? Id => First?.Text("id") is { } id ? Guid.Parse(id) : null;
    public string? Status => First?.Text("status");
    public long ApprovedAmount => First?.Body?.GetProperty("approvedAmount").GetInt64() ?? 0;
    public long CaptureRequested { get; set; }
    public bool VoidRequested { get; set; }
}

/// <summary>A capture, void or refund request and what the customer saw of it.</summary>
internal sealed class OperationRecord(string kind, string key, string path, string? body, Guid authorizationId, Guid? refundOf)
{
    public string Kind { get; } = kind;
    public string Key { get; } = key;
    public string Path { get; } = path;
    public string? Body { get; } = body;
    public Guid AuthorizationId { get; } = authorizationId;
    public Guid? RefundOf { get; } = refundOf;
    public Answer? First { get; set; }
    public bool AnsweredDuringRun { get; set; }
    public Guid? OperationId => First is { Status: 202 } ? First.Text("id") is { } id ? Guid.Parse(id) : null : null;
}

/// <summary>Everything one customer did and saw. Touched only by that customer's caller task (and later the heal).</summary>
internal sealed class CustomerRecord(int index, ApiSession session, string userId)
{
    public int Index { get; } = index;
    public ApiSession Session { get; } = session;
    public string UserId { get; } = userId;
    public List<AccountRecord> Accounts { get; } = [];
    public List<CardRecord> Cards { get; } = [];
    public List<AuthorizationRecord> Authorizations { get; } = [];
    public List<OperationRecord> Operations { get; } = [];
    public Dictionary<Guid, long> AvailableCredit { get; } = [];
}

/// <summary>A rule broken, with enough detail to find it again.</summary>
public sealed record Violation(string Invariant, string Detail);

/// <summary>Counts and findings shared by every caller, the fault injector and the final read.</summary>
internal sealed class Observations
{
    private readonly ConcurrentQueue<Violation> violations = new();
    private readonly ConcurrentDictionary<string, int> answersByStatus = new();
    private readonly ConcurrentDictionary<string, int> declines = new();
    private readonly ConcurrentDictionary<string, int> operationsByKind = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, string Request, int Status)> serverErrors = new();
    private long operations, answered;

    public long Operations => Interlocked.Read(ref operations);
    public long Answered => Interlocked.Read(ref answered);
    public IReadOnlyCollection<Violation> Violations => violations;
    public IReadOnlyDictionary<string, int> AnswersByStatus => answersByStatus;
    public IReadOnlyDictionary<string, int> Declines => declines;
    public IReadOnlyDictionary<string, int> OperationsByKind => operationsByKind;
    public IReadOnlyCollection<(DateTimeOffset At, string Request, int Status)> ServerErrors => serverErrors;

    public void Violate(string invariant, string detail) => violations.Enqueue(new Violation(invariant, detail));

    public void Operation(string kind)
    {
        Interlocked.Increment(ref operations);
        operationsByKind.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    /// <summary>Every answer of the run (and of the heal's read-back), counted by status; 5xx kept with their time.</summary>
    public void Saw(string request, Answer answer)
    {
        var status = answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer";
        answersByStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
        if (answer.Status is >= 500) serverErrors.Enqueue((answer.At, request, answer.Status.Value));
    }

    public void Conclusive() => Interlocked.Increment(ref answered);

    public void Decision(JsonElement body)
    {
        var status = body.GetProperty("status").GetString();
        var code = body.GetProperty("responseCode").GetString();
        var reason = body.TryGetProperty("declineReason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        declines.AddOrUpdate(status == "approved" ? $"approved {code}" : $"declined {code} {reason}", 1, (_, n) => n + 1);
    }
}
