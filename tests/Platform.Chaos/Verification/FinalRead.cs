using System.Collections.Concurrent;
using System.Text.Json;
using Platform.Chaos.Faults;
using Platform.Chaos.Platform;
using Platform.Chaos.Workload;

namespace Platform.Chaos.Verification;

/// <summary>One checked rule and how many times it was broken.</summary>
public sealed record InvariantCount(string Name, int Violations, string? Note = null);

/// <summary>What the final read found, invariant by invariant.</summary>
public sealed record FinalReport(IReadOnlyList<InvariantCount> Invariants, int Lost, int Duplicated, int Differences, int ServerErrorsDuringFaults,
    IReadOnlyList<string> Examples, IReadOnlyList<string> Facts)
{
    public int Violations => Invariants.Sum(i => i.Violations);
}

/// <summary>
/// The final read, once nothing is in flight: everything a customer was told is read back through the public API and
/// set against the ledger, the audit trail, reconciliation and processor-sim's own records.
/// </summary>
internal sealed class FinalRead(ChaosPlatform platform, ProcessorSim sim, ApiSession operatorSession, IReadOnlyList<CustomerRecord> customers, Observations seen, FaultInjector faults,
    Window window, HealResult heal)
{
    private readonly ConcurrentQueue<string> examples = new();
    private readonly ConcurrentDictionary<string, int> counts = new();

    /// <summary>What the final read saw besides the invariants (how many reversals, operations by outcome).</summary>
    public List<string> Facts { get; } = [];

    private void Count(string invariant, string example)
    {
        // A few examples of each broken invariant, so one that breaks often does not hide the others.
        if (counts.AddOrUpdate(invariant, 1, (_, n) => n + 1) <= 3) examples.Enqueue($"{invariant}: {example}");
    }

    private int Of(string invariant) => counts.GetValueOrDefault(invariant);

    public async Task<FinalReport> RunAsync(CancellationToken cancellationToken)
    {
        var reconciliation = await ReadAsync(operatorSession, window.ReconciliationPath(), cancellationToken);
        var differences = reconciliation.GetProperty("differences").EnumerateArray().ToList();
        foreach (var d in differences) Count("reconciliation differences", d.GetRawText());

        await System.Threading.Tasks.Parallel.ForEachAsync(customers.SelectMany(c => c.Accounts.Select(a => (c, a))), Concurrently(cancellationToken),
            async (item, ct) => await CheckAccountAsync(item.c, item.a, ct));
        var platformAuthorizations = new ConcurrentDictionary<Guid, JsonElement>();
        await System.Threading.Tasks.Parallel.ForEachAsync(customers.SelectMany(c => c.Authorizations.Where(a => a.Id is not null).Select(a => (c, a))), Concurrently(cancellationToken),
            async (item, ct) => platformAuthorizations[item.a.Id!.Value] = await CheckAuthorizationAsync(item.c, item.a, ct));
        var reversals = platformAuthorizations.Values.Select(a => a.GetProperty("operations").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "reversal").ToList())
            .Where(r => r.Count > 0).ToList();
        Facts.Add($"reversals: {reversals.Count} ({reversals.Count(r => r.Any(o => o.GetProperty("status").GetString() == "succeeded"))} settled), " +
            $"refused attempts tried again: {reversals.Sum(r => r.Count(o => o.GetProperty("status").GetString() == "failed"))}");
        var operations = platformAuthorizations.Values.SelectMany(a => a.GetProperty("operations").EnumerateArray()).Where(o => o.GetProperty("kind").GetString() != "reversal").ToList();
        Facts.Add("operations settled: " + string.Join(", ", operations.GroupBy(o => $"{o.GetProperty("kind").GetString()} {o.GetProperty("status").GetString()}")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        CheckProcessorRecords(await sim.AuthorizationsAsync(window.From, DateTimeOffset.UtcNow.AddMinutes(10), cancellationToken), platformAuthorizations);
        await CheckAuditAsync(cancellationToken);

        foreach (var violation in seen.Violations) Count(violation.Invariant, violation.Detail);
        var errorsOutside = seen.ServerErrors.Where(e => !faults.DuringFault(e.At)).ToList();
        foreach (var e in errorsOutside) Count("no 5xx outside faults", $"{e.At:O} {e.Request} {e.Status}");
        foreach (var exit in platform.UnexpectedExits) Count("services stay up (no exit but a fault's)", exit);
        if (heal.Unresolved > 0) Count("unanswered requests resolved by reading back", $"{heal.Unresolved} never resolved");
        if (!heal.Quiet) Count("platform came to rest", heal.LastState);

        string[] order =
        [
            "reconciliation differences", "account balances equal their postings", "held + posted within the limit, available >= 0",
            "approvals kept (approved, captured, voided or expired)", "nothing left pending", "declines stay declined", "replay identical", "reused key refused",
            "captured within approved", "refunded within captured", "settled once", "no duplicate authorizations or operations", "accepted operations kept",
            "processor agrees: no live approval the platform declined", "processor agrees on amounts and voids", "audit chain verifies",
            "one decision event per decided authorization", "no 5xx outside faults", "services stay up (no exit but a fault's)", "unexpected answer", "unanswered requests resolved by reading back",
            "platform came to rest", "harness ran cleanly",
        ];
        var invariants = order.Select(name => new InvariantCount(name, Of(name))).ToList();
        invariants.AddRange(counts.Keys.Except(order).Select(name => new InvariantCount(name, Of(name))));
        var lost = Of("approvals kept (approved, captured, voided or expired)") + Of("accepted operations kept");
        var duplicated = Of("no duplicate authorizations or operations") + Of("settled once");
        return new FinalReport(invariants, lost, duplicated, differences.Count, seen.ServerErrors.Count - errorsOutside.Count, examples.ToList(), Facts);
    }

    private static ParallelOptions Concurrently(CancellationToken cancellationToken) => new() { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };

    private static async Task<JsonElement> ReadAsync(ApiSession session, string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await session.GetAsync(path, cancellationToken);
            if (answer.Status == 200) return answer.Body!.Value;
            if (attempt == 5) throw new InvalidOperationException($"Final read of {path}: {answer}");
            await Task.Delay(1_000, cancellationToken);
        }
    }

    /// <summary>Balances are the sums of the postings, within the limit; no purchase, refund or release is posted twice.</summary>
    private async Task CheckAccountAsync(CustomerRecord customer, AccountRecord account, CancellationToken cancellationToken)
    {
        var state = await ReadAsync(customer.Session, $"/v1/accounts/{account.Id}", cancellationToken);
        var postings = new List<JsonElement>();
        long? before = null;
        do
        {
            var page = await ReadAsync(customer.Session, $"/v1/accounts/{account.Id}/transactions?limit=500{(before is null ? "" : $"&before={before}")}", cancellationToken);
            postings.AddRange(page.GetProperty("items").EnumerateArray());
            before = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Number ? page.GetProperty("nextCursor").GetInt64() : null;
        }
        while (before is not null);

        var (held, posted, limit, available) = (state.GetProperty("heldAmount").GetInt64(), state.GetProperty("postedBalance").GetInt64(),
            state.GetProperty("creditLimit").GetInt64(), state.GetProperty("availableCredit").GetInt64());
        var heldPostings = postings.Where(p => p.GetProperty("balance").GetString() == "held").Sum(p => p.GetProperty("amount").GetInt64());
        var postedPostings = postings.Where(p => p.GetProperty("balance").GetString() == "posted").Sum(p => p.GetProperty("amount").GetInt64());
        if (held != heldPostings || posted != postedPostings)
            Count("account balances equal their postings", $"{account.Id}: held {held} vs {heldPostings}, posted {posted} vs {postedPostings}");
        if (held + posted > limit || available < 0 || available != limit - held - posted)
            Count("held + posted within the limit, available >= 0", $"{account.Id}: limit {limit}, held {held}, posted {posted}, available {available}");
        static string Key(JsonElement p, string field) => p.GetProperty(field).ValueKind == JsonValueKind.Null ? "" : p.GetProperty(field).GetRawText();
        foreach (var twice in postings.Where(p => p.GetProperty("type").GetString() is "purchase" or "refund" or "hold"
                         || (p.GetProperty("type").GetString() == "hold_release" && p.GetProperty("transactionId").ValueKind != JsonValueKind.Null))
                     .GroupBy(p => (Type: p.GetProperty("type").GetString(), Auth: Key(p, "authorizationId"), Op: Key(p, "transactionId")))
                     .Where(g => g.Count() > 1))
            Count("settled once", $"account {account.Id}: {twice.Key.Type} posted {twice.Count()} times for authorization {twice.Key.Auth} operation {twice.Key.Op}");
        var known = customers.SelectMany(c => c.Authorizations).Where(a => a.Id is not null).Select(a => a.Id!.Value.ToString()).ToHashSet();
        foreach (var stranger in postings.Select(p => Key(p, "authorizationId").Trim('"')).Where(id => id.Length > 0 && !known.Contains(id)).Distinct())
            Count("no duplicate authorizations or operations", $"account {account.Id}: authorization {stranger} has postings but no customer request was answered with it");
    }

    /// <summary>What the customer was told about an authorization still holds, and its operations add up.</summary>
    private async Task<JsonElement> CheckAuthorizationAsync(CustomerRecord customer, AuthorizationRecord record, CancellationToken cancellationToken)
    {
        var auth = await ReadAsync(customer.Session, $"/v1/authorizations/{record.Id}", cancellationToken);
        var status = auth.GetProperty("status").GetString();
        var approved = auth.GetProperty("approvedAmount").GetInt64();
        if (status == "pending") Count("nothing left pending", $"{record.Id}");
        if (record.Status == "approved" && (status is not ("approved" or "voided" or "expired") || approved != record.ApprovedAmount))
            Count("approvals kept (approved, captured, voided or expired)", $"{record.Id}: told approved {record.ApprovedAmount}, now {status} {approved}");
        if (record.Status == "declined" && status != "declined")
            Count("declines stay declined", $"{record.Id}: told declined, now {status}");

        var operations = auth.GetProperty("operations").EnumerateArray().ToList();
        var captured = auth.GetProperty("capturedAmount").GetInt64();
        var settledCaptures = operations.Where(o => o.GetProperty("kind").GetString() == "capture" && o.GetProperty("status").GetString() == "succeeded")
            .Sum(o => o.GetProperty("amount").GetInt64());
        if (captured > approved || settledCaptures != captured)
            Count("captured within approved", $"{record.Id}: approved {approved}, captured {captured}, settled captures {settledCaptures}");
        foreach (var capture in operations.Where(o => o.GetProperty("kind").GetString() == "capture"))
        {
            var refunded = operations.Where(o => o.GetProperty("kind").GetString() == "refund" && o.GetProperty("status").GetString() == "succeeded"
                    && o.GetProperty("refundOf").ValueKind == JsonValueKind.String && o.GetProperty("refundOf").GetGuid() == capture.GetProperty("id").GetGuid())
                .Sum(o => o.GetProperty("amount").GetInt64());
            if (refunded > (capture.GetProperty("status").GetString() == "succeeded" ? capture.GetProperty("amount").GetInt64() : 0))
                Count("refunded within captured", $"{record.Id}: capture {capture.GetProperty("id")} of {capture.GetProperty("amount")}, refunded {refunded}");
        }
        var requested = customer.Operations.Where(o => o.AuthorizationId == record.Id).ToList();
        var told = requested.Where(o => o.OperationId is not null).Select(o => o.OperationId!.Value).ToHashSet();
        foreach (var id in told.Where(id => operations.All(o => o.GetProperty("id").GetGuid() != id)))
            Count("accepted operations kept", $"{record.Id}: operation {id} was accepted (202) and is gone");
        foreach (var extra in operations.Where(o => o.GetProperty("kind").GetString() != "reversal" && !told.Contains(o.GetProperty("id").GetGuid())))
            Count("no duplicate authorizations or operations", $"{record.Id}: {extra.GetProperty("kind")} {extra.GetProperty("id")} matches no answer the customer got");
        return auth;
    }

    /// <summary>processor-sim's records, found by the merchant name each request carried, agree with the platform's.</summary>
    private void CheckProcessorRecords(IReadOnlyList<JsonElement> records, IReadOnlyDictionary<Guid, JsonElement> platform)
    {
        var byMerchant = records.Where(r => r.GetProperty("merchant").GetProperty("name").GetString()?.StartsWith("Chaos ", StringComparison.Ordinal) == true)
            .GroupBy(r => r.GetProperty("merchant").GetProperty("name").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var record in customers.SelectMany(c => c.Authorizations))
        {
            var atProcessor = byMerchant.GetValueOrDefault(record.Merchant) ?? [];
            var approvals = atProcessor.Where(r => r.GetProperty("approved").GetBoolean()).ToList();
            if (approvals.Count > 1)
                Count("no duplicate authorizations or operations", $"{record.Merchant}: {approvals.Count} approvals at the processor for one request");
            if (record.Id is not { } id || !platform.TryGetValue(id, out var auth)) continue;
            var status = auth.GetProperty("status").GetString();
            var live = approvals.Where(r => r.GetProperty("status").GetString() != "voided").ToList();
            if (status == "declined")
            {
                if (live.Count > 0) Count("processor agrees: no live approval the platform declined", $"{id} ({record.Merchant}): processor {live[0].GetProperty("status")}");
                continue;
            }
            if (status is "pending") continue;
            if (approvals.Count == 0)
            {
                Count("processor agrees on amounts and voids", $"{id} ({record.Merchant}): {status} here, no approval at the processor");
                continue;
            }
            var p = approvals[0];
            var refunded = auth.GetProperty("operations").EnumerateArray()
                .Where(o => o.GetProperty("kind").GetString() == "refund" && o.GetProperty("status").GetString() == "succeeded").Sum(o => o.GetProperty("amount").GetInt64());
            var voided = status == "voided" || (status == "expired" && auth.GetProperty("capturedAmount").GetInt64() == 0);
            if (p.GetProperty("approvedAmount").GetInt64() != auth.GetProperty("approvedAmount").GetInt64()
                || p.GetProperty("capturedAmount").GetInt64() != auth.GetProperty("capturedAmount").GetInt64()
                || p.GetProperty("refundedAmount").GetInt64() != refunded
                || voided != (p.GetProperty("status").GetString() == "voided"))
                Count("processor agrees on amounts and voids", $"{id} ({record.Merchant}): platform {status} approved {auth.GetProperty("approvedAmount")} captured " +
                    $"{auth.GetProperty("capturedAmount")} refunded {refunded}; processor {p.GetProperty("status")} approved {p.GetProperty("approvedAmount")} captured " +
                    $"{p.GetProperty("capturedAmount")} refunded {p.GetProperty("refundedAmount")}");
        }
    }

    private async Task CheckAuditAsync(CancellationToken cancellationToken)
    {
        var verify = await ReadAsync(operatorSession, "/v1/audit/verify", cancellationToken);
        if (!verify.GetProperty("intact").GetBoolean()) Count("audit chain verifies", verify.GetRawText());
        var decisions = new Dictionary<string, int>();
        foreach (var type in new[] { "authorization.approved", "authorization.declined" })
        {
            long after = 0;
            while (true)
            {
                var page = await ReadAsync(operatorSession, $"/v1/audit/events?eventType={type}&limit=500&afterSequence={after}", cancellationToken);
                foreach (var e in page.GetProperty("events").EnumerateArray())
                {
                    var id = e.GetProperty("resourceId").GetString()!;
                    decisions[id] = decisions.GetValueOrDefault(id) + 1;
                }
                if (page.GetProperty("nextAfterSequence").ValueKind != JsonValueKind.Number) break;
                after = page.GetProperty("nextAfterSequence").GetInt64();
            }
        }
        foreach (var record in customers.SelectMany(c => c.Authorizations).Where(a => a.Id is not null))
        {
            var n = decisions.GetValueOrDefault(record.Id!.Value.ToString());
            if (n != 1) Count("one decision event per decided authorization", $"{record.Id}: {n} decision events");
        }
        var known = customers.SelectMany(c => c.Authorizations).Where(a => a.Id is not null).Select(a => a.Id!.Value.ToString()).ToHashSet();
        foreach (var (id, n) in decisions.Where(d => d.Value > 1 && !known.Contains(d.Key)))
            Count("one decision event per decided authorization", $"{id} (not a customer's): {n} decision events");
    }
}
