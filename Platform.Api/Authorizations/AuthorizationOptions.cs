using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Authorizations;

/// <summary>Settings under <c>Authorizations</c>, checked at start-up.</summary>
public sealed class AuthorizationOptions
{
    public const string Section = "Authorizations";

    /// <summary>End to end inside the API; the processor call gets what is left after the fraud check and the reservation.</summary>
    [Range(20, 10_000)]
    public int BudgetMs { get; set; } = 95;

    /// <summary>Kept back from the processor call for recording the outcome, so the answer still leaves inside the budget.</summary>
    [Range(1, 1_000)]
    public int RecordingReserveMs { get; set; } = 10;

    /// <summary>
    /// Below this much time left for the processor the call is not made at all: it could not be answered in time, and a
    /// request sent only to be abandoned would just add load and a reversal. The authorization is declined 91.
    /// </summary>
    [Range(1, 1_000)]
    public int MinimumProcessorBudgetMs { get; set; } = 15;

    /// <summary>
    /// Authorizations this instance works on at once (fraud check, hold, processor call). One more is declined 91
    /// (<c>platform_busy</c>) at once, recorded like any decline, without calling fraud or the processor: past its
    /// capacity an authorization waiting in line only runs out of budget, declines 91 anyway and leaves a reversal
    /// behind. 0 turns the limit off. 8 is where this 2-core machine answers most (8 closed-loop callers: 370/s, p99
    /// 55 ms); at 24 an overload still queued until the processor call ran out of time.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxInFlight { get; set; } = 8;

    /// <summary>
    /// How long an authorization that finds every slot taken waits for one before it is declined busy. Arrivals come in
    /// bursts: with no wait at all, 1-2 % of a 200-250/s open loop that the machine serves with p99 under 55 ms were
    /// declined 91 only because eight happened to be in flight at one instant. A few milliseconds absorbs those while a
    /// real overload is still answered at once, not queued until its budget is gone.
    /// </summary>
    [Range(0, 1_000)]
    public int AdmissionWaitMs { get; set; } = 5;

    /// <summary>An approved hold that is not captured within this time is released (and the authorization voided at the processor).</summary>
    [Range(1, 60 * 24 * 60)]
    public int HoldExpiryMinutes { get; set; } = 7 * 24 * 60;

    /// <summary>
    /// An authorization still pending after this long belongs to an API instance that stopped mid-flight: its hold is
    /// released, it is declined, and a reversal goes to the processor in case the processor approved it.
    /// </summary>
    [Range(1, 3_600)]
    public int AbandonedAfterSeconds { get; set; } = 30;

    /// <summary>
    /// A reversal's void that the processor refuses or fails is tried again after this delay, doubling each attempt up
    /// to <see cref="ReversalRetryMaxMs"/>; after <see cref="ReversalMaxAttempts"/> attempts it waits for an operator.
    /// </summary>
    [Range(10, 600_000)]
    public int ReversalRetryBaseMs { get; set; } = 1_000;

    [Range(10, 3_600_000)]
    public int ReversalRetryMaxMs { get; set; } = 300_000;

    [Range(1, 1_000)]
    public int ReversalMaxAttempts { get; set; } = 10;

    /// <summary>How often each instance looks for expired holds and abandoned authorizations.</summary>
    [Range(100, 3_600_000)]
    public int SweepIntervalMs { get; set; } = 5_000;
}
