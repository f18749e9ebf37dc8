using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Traffic;

/// <summary>
/// The open loop: request n starts at n / rate seconds after the first, whether or not earlier ones have answered
/// (so a slow platform shows up as latency and unanswered requests, not as a lower offered rate). The loop never
/// waits for an answer and never spins: it starts whatever is due, then sleeps until the next one is.
/// </summary>
internal sealed class TrafficLoop(TrafficRun run, PlatformApiClient api, IReadOnlyList<Guid> cards, SecondSeriesRecorder series, int maxInFlight, TimeProvider time)
{
    public const string Source = "api";
    private const int MaxRemembered = 10_000;
    private static readonly TimeSpan RefundAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<Guid> approved = new();
    private readonly ConcurrentQueue<(Guid Operation, DateTimeOffset At)> captured = new();
    private readonly Random random = new();

    public async Task DriveAsync(CancellationToken stop, CancellationToken abort)
    {
        var plan = run.Plan;
        var total = Math.Max(1, (long)Math.Round(plan.RatePerSecond * plan.DurationSeconds));
        var started = Stopwatch.GetTimestamp();
        long issued = 0;
        while (issued < total && !stop.IsCancellationRequested)
        {
            var due = Math.Min(total, (long)Math.Floor(Stopwatch.GetElapsedTime(started).TotalSeconds * plan.RatePerSecond) + 1);
            while (issued < due)
            {
                Launch(issued++, abort);
            }
            if (issued >= total) break;
            var wait = issued / plan.RatePerSecond - Stopwatch.GetElapsedTime(started).TotalSeconds;
            try
            {
                // At least a millisecond, so that a high rate starts requests in small batches instead of spinning.
                await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(wait, 0.001, 0.1)), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void Launch(long sequence, CancellationToken abort)
    {
        if (run.InFlight >= maxInFlight)
        {
            run.Dropped();
            return;
        }
        var (operation, target) = PickOperation();
        run.Started(operation);
        series.Offered(Source, operation);
        var key = $"traffic-{run.Id}-{sequence.ToString(CultureInfo.InvariantCulture)}";
        _ = operation == TrafficOperations.Authorize
            ? ExecuteAsync(operation, () => api.PostAsync("/v1/authorizations", NextAuthorization(), key, abort))
            : operation == TrafficOperations.Capture
                ? ExecuteAsync(operation, () => api.PostAsync($"/v1/authorizations/{target}/capture", new WholeAmount(), key, abort))
                : operation == TrafficOperations.Void
                    ? ExecuteAsync(operation, () => api.PostAsync($"/v1/authorizations/{target}/void", null, key, abort))
                    : ExecuteAsync(operation, () => api.PostAsync($"/v1/transactions/{target}/refund", new WholeAmount(), key, abort));
    }

    private async Task ExecuteAsync(string operation, Func<Task<ApiAnswer>> send)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var answer = await send();
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)answer.Status;
            var outcome = operation == TrafficOperations.Authorize && answer.Status == HttpStatusCode.OK
                ? answer.Text("responseCode") ?? "200"
                : status.ToString(CultureInfo.InvariantCulture);
            run.Answered(status, outcome, ms);
            series.Answered(Source, operation, outcome, ms);
            Remember(operation, answer);
        }
        catch (Exception ex)
        {
            // Whatever the failure, the request was offered and got no answer: it is counted, never lost.
            var outcome = ex is OperationCanceledException ? "timeout" : "error";
            run.Unanswered(outcome);
            series.Unanswered(Source, operation, outcome);
        }
        finally
        {
            run.Finished();
        }
    }

    /// <summary>Approved authorizations can be captured or voided later in the run, captures refunded.</summary>
    private void Remember(string operation, ApiAnswer answer)
    {
        if (operation == TrafficOperations.Authorize && answer.Text("status") == "approved" && Guid.TryParse(answer.Text("id"), out var authorization))
        {
            approved.Enqueue(authorization);
            if (approved.Count > MaxRemembered) approved.TryDequeue(out _);
        }
        else if (operation == TrafficOperations.Capture && answer.Status == HttpStatusCode.Accepted && Guid.TryParse(answer.Text("id"), out var capture))
        {
            captured.Enqueue((capture, time.GetUtcNow()));
            if (captured.Count > MaxRemembered) captured.TryDequeue(out _);
        }
    }

    private (string Operation, Guid Target) PickOperation()
    {
        var mix = run.Plan.Operations;
        var x = random.NextDouble() * (mix.Authorize + mix.Capture + mix.Void + mix.Refund);
        if ((x -= mix.Authorize) < 0) return (TrafficOperations.Authorize, Guid.Empty);
        if ((x -= mix.Capture) < 0) return approved.TryDequeue(out var a) ? (TrafficOperations.Capture, a) : (TrafficOperations.Authorize, Guid.Empty);
        if ((x -= mix.Void) < 0) return approved.TryDequeue(out var v) ? (TrafficOperations.Void, v) : (TrafficOperations.Authorize, Guid.Empty);
        // A refund needs a posted purchase: a capture the processor has had a few seconds to settle.
        return captured.TryPeek(out var c) && time.GetUtcNow() - c.At >= RefundAfter && captured.TryDequeue(out c)
            ? (TrafficOperations.Refund, c.Operation)
            : (TrafficOperations.Authorize, Guid.Empty);
    }

    private Authorize NextAuthorization()
    {
        var plan = run.Plan;
        var merchant = PickMerchant(plan.Merchants);
        var amount = plan.Amount.Min == plan.Amount.Max
            ? plan.Amount.Min
            : (long)Math.Round(Math.Exp(Math.Log(plan.Amount.Min) + random.NextDouble() * (Math.Log(plan.Amount.Max) - Math.Log(plan.Amount.Min))));
        return new Authorize(cards[random.Next(cards.Count)], Math.Clamp(amount, plan.Amount.Min, plan.Amount.Max), "USD",
            new Merchant(merchant.Name.Length > 64 ? merchant.Name[..64] : merchant.Name, merchant.Name, merchant.Mcc, merchant.Country), merchant.Channel ?? "pos");
    }

    private TrafficMerchant PickMerchant(IReadOnlyList<TrafficMerchant> merchants)
    {
        var x = random.NextDouble() * merchants.Sum(m => Math.Max(0, m.Weight));
        foreach (var m in merchants)
        {
            if (m.Weight <= 0) continue;
            if ((x -= m.Weight) < 0) return m;
        }
        return merchants.Last(m => m.Weight > 0);
    }
}

public static class TrafficOperations
{
    public const string Authorize = "authorize";
    public const string Capture = "capture";
    public const string Void = "void";
    public const string Refund = "refund";
}
