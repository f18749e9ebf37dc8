namespace Platform.Api.Reconciliation;

/// <summary>
/// One disagreement. <c>kind</c>: missing_at_processor, unknown_to_platform, approval_mismatch, amount_mismatch,
/// captured_mismatch, refunded_mismatch, void_mismatch, late_approval_not_reversed, expired_hold_not_voided,
/// reversal_needs_attention (every void attempt refused; see GET /v1/reconciliation/reversals), ledger_mismatch, dead_outbox_message.
/// </summary>
public sealed record ReconciliationDifference(string Kind, Guid? AuthorizationId, string? ProcessorAuthorizationId, string Detail, string? Platform, string? Processor);

/// <param name="InFlight">Operations and outbox messages not settled yet: they are compared once they settle, not reported as differences.</param>
public sealed record ReconciliationReport(
    DateTimeOffset From,
    DateTimeOffset To,
    int PlatformAuthorizations,
    int ProcessorAuthorizations,
    int AccountsChecked,
    int InFlight,
    bool Matched,
    IReadOnlyList<ReconciliationDifference> Differences);
