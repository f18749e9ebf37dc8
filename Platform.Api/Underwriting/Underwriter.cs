using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Accounts;
using Platform.Api.Audit;
using Platform.Api.Cards;
using Platform.Api.Email;
using Platform.Api.Integrations.Bureau;
using Platform.Api.Integrations.Fraud;
using Platform.Api.Outbox;

namespace Platform.Api.Underwriting;

/// <summary>
/// Evaluates an application: fraud score, hard pull, decision, and — in one transaction — the pull record, the decision
/// with its reasons, the account and card on approval, the decision e-mail request and the audit events. Shared by the
/// request that takes the application in and by the retry worker.
/// </summary>
public sealed partial class Underwriter(
    ApplicationStore store,
    ApplicationFraudClient fraud,
    BureauClient bureau,
    DecisionEngine engine,
    AccountStore accounts,
    CardIssuing cards,
    OutboxStore outbox,
    IAuditTrail audit,
    NpgsqlDataSource dataSource,
    IOptions<UnderwritingOptions> options,
    IOptions<BureauClientOptions> bureauOptions,
    TimeProvider time,
    ILogger<Underwriter> logger)
{
    /// <summary>FCRA §604(a)(3)(A): a credit transaction the consumer initiated.</summary>
    public const string ApplicationPurpose = "credit-transaction-initiated-by-consumer";

    /// <returns>The outcome recorded, or null when the application had already been decided elsewhere.</returns>
    public async Task<string?> EvaluateAsync(Guid applicationId, ApplicantIdentity applicant, int attempt, AuditActor actor, AuditOrigin? origin,
        CancellationToken cancellationToken)
    {
        var assessment = await fraud.ScoreAsync(applicant.ToFraudRequest(applicationId, time.GetUtcNow()), cancellationToken);
        var decision = engine.ScreenFraud(applicant.AnnualIncome, applicant.MonthlyHousingCost, assessment);
        BureauPullResult? pull = null;
        if (decision is null)
        {
            pull = await bureau.PullAsync(applicant.ToBureauApplicant(), InquiryType.Hard, cancellationToken);
            decision = engine.Decide(applicant.AnnualIncome, applicant.MonthlyHousingCost, assessment, pull);
        }

        var recorded = await RecordAsync(applicationId, applicant, pull, decision, attempt, actor, origin, cancellationToken);
        if (recorded) LogDecided(logger, applicationId, decision.Outcome, decision.PolicyVersion, string.Join(',', decision.Reasons.Select(r => r.Code)), attempt);
        return recorded ? decision.Outcome : null;
    }

    private async Task<bool> RecordAsync(Guid applicationId, ApplicantIdentity applicant, BureauPullResult? pull, CreditDecision decision, int attempt,
        AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        var o = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var locked = await store.LockUndecidedAsync(transaction, applicationId, cancellationToken);
        if (locked is null) return false;

        // Business rows first, audit appends last: the audit chain's lock is global and held until commit, so taking
        // it late keeps concurrent decisions from queueing behind each other's inserts.
        Guid? pullId = pull is null ? null
            : await store.RecordPullAsync(transaction, applicationId, null, InquiryType.Hard, ApplicationPurpose, bureauOptions.Value.BureauName, pull, cancellationToken);
        AccountResponse? account = null;
        if (decision is { Outcome: DecisionOutcomes.Approved, Terms: { } terms })
        {
            // The applicant's own account when a signed-in customer applied; otherwise tied to the application until claimed.
            var ownerReference = await store.OwnerUserIdAsync(transaction, applicationId, cancellationToken) ?? $"application:{applicationId}";
            account = await accounts.OpenAsync(transaction, terms.Currency, terms.CreditLimit, ownerReference, cancellationToken);
        }
        var decisionId = await store.RecordDecisionAsync(transaction, applicationId, decision, pullId, actor.Id, cancellationToken);
        // Waiting again for the bureau is not news to the applicant: one e-mail per change of outcome.
        if (locked.PreviousOutcome != decision.Outcome)
        {
            await outbox.RequestDecisionEmailAsync(transaction, decisionId, locked.Email, cancellationToken);
        }
        var card = account is null ? null
            : await cards.RequestAsync(transaction, account.Id, "virtual", applicant.CardholderName(), actor, origin, cancellationToken);
        DateTimeOffset? nextAttemptAt = decision.RetryAutomatically && attempt < o.MaxAutomaticAttempts
            ? time.GetUtcNow() + RetryDelay(attempt)
            : null;
        await store.CompleteEvaluationAsync(transaction, applicationId, decision.Outcome, decisionId, account?.Id, card?.Id, nextAttemptAt, cancellationToken);

        if (pull is not null)
        {
            await audit.AppendAsync(UnderwritingAudit.BureauPull("application", applicationId, pullId!.Value, InquiryType.Hard, ApplicationPurpose, pull, actor, origin),
                transaction, cancellationToken);
        }
        if (account is not null)
        {
            await audit.AppendAsync(FinancialAudit.Entry("account.opened", actor, origin, "account", account.Id, new Dictionary<string, object?>
            {
                ["creditLimit"] = account.CreditLimit, ["currency"] = account.Currency, ["via"] = "application", ["applicationId"] = applicationId,
            }), transaction, cancellationToken);
        }
        await audit.AppendAsync(UnderwritingAudit.Decision(applicationId, decisionId, decision, account?.Id, card?.Id, attempt, actor, origin), transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (card is not null) outbox.Wake();
        return true;
    }

    private TimeSpan RetryDelay(int attempt) => Platform.Data.Queues.Backoff.FromSeconds(options.Value.RetryBaseSeconds, options.Value.RetryMaxSeconds).After(attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Application {ApplicationId} {Outcome} under policy {PolicyVersion} ({ReasonCodes}), attempt {Attempt}")]
    private static partial void LogDecided(ILogger logger, Guid applicationId, string outcome, string policyVersion, string reasonCodes, int attempt);
}
