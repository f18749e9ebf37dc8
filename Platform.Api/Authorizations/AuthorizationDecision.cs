using Platform.Api.Integrations.Fraud;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Authorizations;

/// <summary>
/// What phase 1 read about the card in one round trip: the card, its account and owner, the alert settings, and the
/// account's available credit then (what a decline before the hold reports: such a decline changes no balance).
/// </summary>
public sealed record CardFacts(Guid CardId, Guid AccountId, string CardStatus, string? ProcessorCardToken, string AccountCurrency, string AccountStatus,
    string? OwnerReference, CardAlertSettings Alerts, long AvailableCredit);

/// <summary>What <see cref="AuthorizationDecision"/> decided at one step of an authorization.</summary>
public abstract record AuthorizationVerdict
{
    /// <summary>No such card, or not the caller's (answered alike, so nobody learns which cards exist).</summary>
    public sealed record CardNotFound : AuthorizationVerdict;

    /// <summary>The request is in another currency than the card's account (a 400, nothing recorded).</summary>
    public sealed record WrongCurrency(string AccountCurrency) : AuthorizationVerdict;

    /// <summary>
    /// Declined with <paramref name="Reason"/>. <paramref name="ReleaseHold"/>: the words of the posting that gives back
    /// the credit held (null when nothing was held yet); <paramref name="QueueReversal"/>: the processor may have
    /// approved it, so its answer is asked again and voided; <paramref name="AuditDetails"/>: added to the audit event.
    /// </summary>
    public sealed record Decline(DeclineReason Reason, string? ReleaseHold = null, bool QueueReversal = false, string? ProcessorAuthorizationId = null,
        IReadOnlyDictionary<string, object?>? AuditDetails = null) : AuthorizationVerdict;

    /// <summary>Go on: hold <paramref name="Amount"/> (only if the credit is there) and ask the processor.</summary>
    public sealed record Hold(long Amount, string Description) : AuthorizationVerdict;

    /// <summary>Approved for <paramref name="ApprovedAmount"/>; <paramref name="Unused"/> of the hold goes back (a partial approval).</summary>
    public sealed record Approve(long ApprovedAmount, long Unused, string ResponseCode, string ProcessorAuthorizationId) : AuthorizationVerdict;
}

/// <summary>
/// The authorization's decisions, with no I/O: from what was read, the request, the fraud answer and the processor's
/// answer, whether to approve, decline (and why, with the ISO 8583 code) and what to hold or give back. The service
/// does the reading and recording around it (<see cref="AuthorizationService"/>, <see cref="AuthorizationRecorder"/>).
/// </summary>
public static class AuthorizationDecision
{
    /// <summary>Before anything is recorded: null when the authorization goes on to the fraud check.</summary>
    public static AuthorizationVerdict? Screen(CardFacts? card, bool ownedByCaller, string currency) => card switch
    {
        null => new AuthorizationVerdict.CardNotFound(),
        _ when !ownedByCaller => new AuthorizationVerdict.CardNotFound(),
        _ when card.AccountCurrency != currency => new AuthorizationVerdict.WrongCurrency(card.AccountCurrency),
        { AccountStatus: not "open" } => new AuthorizationVerdict.Decline(DeclineReason.AccountNotOpen),
        { CardStatus: not "active" } or { ProcessorCardToken: null } => new AuthorizationVerdict.Decline(DeclineReason.CardNotActive),
        _ => null,
    };

    /// <summary>
    /// After admission and the fraud check: declined 91 when this instance was at capacity (the fraud check is then not
    /// asked: <paramref name="fraud"/> is null), 59 when the fraud check says decline; otherwise hold the amount.
    /// </summary>
    public static AuthorizationVerdict BeforeProcessor(long amount, string merchantName, bool admitted, FraudAssessment? fraud) =>
        !admitted ? new AuthorizationVerdict.Decline(DeclineReason.PlatformBusy)
        : fraud?.Action == FraudRecommendation.Decline ? new AuthorizationVerdict.Decline(DeclineReason.SuspectedFraud)
        : new AuthorizationVerdict.Hold(amount, $"Hold: {merchantName}");

    /// <summary>The hold took what was available (null: it was not there, and nothing was held).</summary>
    public static AuthorizationVerdict.Decline? AfterHold(long? availableAfterHold) =>
        availableAfterHold is null ? new AuthorizationVerdict.Decline(DeclineReason.InsufficientCredit) : null;

    /// <summary>
    /// The processor's answer to an authorization holding <paramref name="held"/>. An approval is never for more than
    /// was held (nor for nothing); a decline or no answer gives the hold back, and no answer that may still have reached
    /// the processor queues a reversal.
    /// </summary>
    public static AuthorizationVerdict AfterProcessor(long held, ProcessorAuthorizeOutcome outcome)
    {
        switch (outcome)
        {
            case ProcessorAuthorizeOutcome.Answered { Authorization: { Approved: true } approved }:
                var amount = Math.Clamp(approved.ApprovedAmount, 1, held);
                return new AuthorizationVerdict.Approve(amount, held - amount, approved.ResponseCode, approved.AuthorizationId);
            case ProcessorAuthorizeOutcome.Answered { Authorization: var declined }:
                return new AuthorizationVerdict.Decline(DeclineReason.FromProcessor(declined.ResponseCode, declined.ResponseMessage),
                    "Hold released: declined by the processor", ProcessorAuthorizationId: declined.AuthorizationId);
            case ProcessorAuthorizeOutcome.NoAnswer noAnswer:
                return new AuthorizationVerdict.Decline(DeclineReason.ProcessorUnavailable, "Hold released: processor did not answer", noAnswer.MayHaveBeenProcessed,
                    AuditDetails: new Dictionary<string, object?> { ["processorCause"] = noAnswer.Cause, ["reversalQueued"] = noAnswer.MayHaveBeenProcessed });
            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null);
        }
    }

    /// <summary>An authorization left pending by an instance that stopped mid-flight: declined 91, its hold given back and a reversal queued.</summary>
    public static AuthorizationVerdict.Decline Abandoned { get; } = new(DeclineReason.ProcessorUnavailable, "Hold released: authorization abandoned", QueueReversal: true,
        AuditDetails: new Dictionary<string, object?> { ["cause"] = "abandoned", ["reversalQueued"] = true });
}
