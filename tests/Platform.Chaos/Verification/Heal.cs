using System.Diagnostics;
using System.Text.Json;
using Platform.Chaos.Faults;
using Platform.Chaos.Platform;
using Platform.Chaos.Workload;

namespace Platform.Chaos.Verification;

/// <param name="Unanswered">Requests without a conclusive answer when the workload stopped.</param>
/// <param name="Unresolved">Of those, still without one after reading back.</param>
public sealed record HealResult(int Unanswered, int Unresolved, int OperatorRetries, bool Quiet, TimeSpan Elapsed, string LastState);

/// <summary>
/// After the workload: every process running, processor-sim healthy, each request whose answer never arrived sent
/// again with its key (which reads back what the platform did with it), and then waiting until nothing is in flight
/// anywhere — the platform's outbox and reversals, processor-sim's operations and webhooks, cards being issued.
/// A reversal that ran out of attempts is retried by the operator, as the runbook says.
/// </summary>
internal sealed class Heal(ChaosPlatform platform, ProcessorSim sim, ApiSession operatorSession, IReadOnlyList<(CustomerRecord Customer, Caller Caller)> callers,
    Window window, ChaosOptions options, TextWriter log)
{
    public async Task<HealResult> RunAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + options.QuiesceTimeout;
        await platform.RepairAsync(cancellationToken);
        await platform.WaitAllHealthyAsync(TimeSpan.FromMinutes(3), cancellationToken);
        if (!await sim.PutSettingsAsync(FaultPlan.Healthy(), TimeSpan.FromSeconds(60), cancellationToken))
            throw new InvalidOperationException("processor-sim could not be set back to healthy.");

        var unanswered = Pending().Count;
        while (Pending() is { Count: > 0 } pending && DateTime.UtcNow < deadline)
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, ct) => await item(ct));
            if (Pending().Count > 0) await Task.Delay(1_000, cancellationToken);
        }
        var unresolved = Pending().Count;

        var retries = 0;
        var quietChecks = 0;
        var state = "";
        while (DateTime.UtcNow < deadline)
        {
            var (quiet, description, waiting) = await StateAsync(cancellationToken);
            state = description;
            foreach (var authorizationId in waiting)
            {
                if ((await operatorSession.PostAsync($"/v1/reconciliation/reversals/{authorizationId}/retry", null, null, cancellationToken)).Status == 202) retries++;
            }
            quietChecks = quiet ? quietChecks + 1 : 0;
            if (quietChecks >= 2) break;
            await Task.Delay(1_000, cancellationToken);
        }
        lock (log) log.WriteLine($"heal: {unanswered} unanswered request(s) read back ({unresolved} unresolved), {retries} operator reversal retr{(retries == 1 ? "y" : "ies")}, " +
            $"{(quietChecks >= 2 ? "quiet" : "NOT quiet")} after {watch.Elapsed.TotalSeconds:0} s ({state})");
        return new HealResult(unanswered, unresolved, retries, quietChecks >= 2, watch.Elapsed, state);
    }

    /// <summary>One read-back per request still without a conclusive answer.</summary>
    private List<Func<CancellationToken, Task>> Pending()
    {
        var work = new List<Func<CancellationToken, Task>>();
        foreach (var (customer, caller) in callers)
        {
            foreach (var a in customer.Authorizations.Where(a => a.First is null))
                work.Add(async ct => caller.Authorized(a, await customer.Session.PostAsync("/v1/authorizations", a.Body, a.Key, ct), replay: true, duringRun: false));
            foreach (var o in customer.Operations.Where(o => o.First is null))
                work.Add(async ct => caller.Requested(o, await customer.Session.PostAsync(o.Path, o.Body, o.Key, ct), replay: true, duringRun: false));
            foreach (var c in customer.Cards.Where(c => c.First is null))
                work.Add(async ct => caller.CardRequested(c, await customer.Session.PostAsync($"/v1/accounts/{c.AccountId}/cards", c.Body, c.Key, ct), duringRun: false));
        }
        return work;
    }

    private async Task<(bool Quiet, string Description, IReadOnlyList<Guid> WaitingForOperator)> StateAsync(CancellationToken cancellationToken)
    {
        var report = await operatorSession.GetAsync(window.ReconciliationPath(), cancellationToken);
        var queue = await operatorSession.GetAsync("/v1/reconciliation/reversals", cancellationToken);
        var (simOperations, simWebhooks) = await sim.InFlightAsync(cancellationToken);
        // A platform without the reversal queue (404: before it existed) simply has nothing waiting in it.
        if (report.Status != 200 || queue.Status is not (200 or 404)) return (false, $"reconciliation {report.Status}, reversal queue {queue.Status}", []);
        var inFlight = report.Body!.Value.GetProperty("inFlight").GetInt32();
        var reversals = queue.Status == 200 ? queue.Body!.Value.EnumerateArray().ToList() : [];
        var waiting = reversals.Where(r => r.GetProperty("state").GetString() == "needs_attention").Select(r => r.GetProperty("authorizationId").GetGuid()).ToList();
        var retrying = reversals.Count - waiting.Count;
        var cardsSettling = 0;
        foreach (var (customer, _) in callers)
        {
            foreach (var card in customer.Cards.Where(c => c.Id is not null && c.Status is "requested" or "pending" or "shipped"))
            {
                var read = await customer.Session.GetAsync($"/v1/cards/{card.Id}", cancellationToken);
                if (read.Status == 200) card.Status = read.Text("status");
                if (card.Status is "requested" or "pending" or "shipped") cardsSettling++;
            }
        }
        var quiet = inFlight == 0 && retrying == 0 && waiting.Count == 0 && simOperations == 0 && simWebhooks == 0 && cardsSettling == 0;
        return (quiet, $"platform in flight {inFlight}, reversals retrying {retrying} / waiting {waiting.Count}, processor-sim operations {simOperations} / webhooks {simWebhooks}, " +
            $"cards settling {cardsSettling}", waiting);
    }
}

/// <summary>
/// The period the final read covers: from before the run to the platform's now (its clock may have been moved ahead)
/// — which also covers processor-sim's records, stamped by the real clock.
/// </summary>
internal sealed class Window(DateTimeOffset startedAt, Func<long> clockOffsetSeconds)
{
    public DateTimeOffset From { get; } = startedAt.AddMinutes(-10);
    public DateTimeOffset PlatformNow => DateTimeOffset.UtcNow.AddSeconds(clockOffsetSeconds());
    public DateTimeOffset To => PlatformNow.AddMinutes(10);

    public string ReconciliationPath() =>
        $"/v1/reconciliation/processor?from={Uri.EscapeDataString(From.ToString("O"))}&to={Uri.EscapeDataString(To.ToString("O"))}";

}
