using Platform.Api.Data;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Integrations.Bureau;

namespace Platform.Api.Underwriting;

/// <summary>
/// Indicative offers from a soft pull: no hard inquiry, no account, nothing that affects the applicant's score. The
/// same policy decides as for applications, so a prequalified applicant is not surprised by the real decision.
/// </summary>
public sealed class Prequalifier(
    BureauClient bureau,
    DecisionEngine engine,
    ApplicationStore store,
    IAuditTrail audit,
    NpgsqlDataSource dataSource,
    IOptions<DecisionPolicy> policy,
    IOptions<BureauClientOptions> bureauOptions,
    TimeProvider time)
{
    /// <summary>FCRA §604(a)(2): the consumer asked for it (their instructions to check).</summary>
    public const string PrequalificationPurpose = "written-instructions-of-consumer";

    /// <returns>The result, or null when the bureau did not answer (nothing to offer; the caller may try again).</returns>
    public async Task<PrequalificationResponse?> PrequalifyAsync(ApplicantIdentity applicant, AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow());
        var pull = await bureau.PullAsync(applicant.ToBureauApplicant(), InquiryType.Soft, cancellationToken);

        PrequalificationResponse? result = null;
        if (pull.Answered)
        {
            var decision = engine.Decide(applicant.AnnualIncome, applicant.MonthlyHousingCost, fraud: null, pull);
            var now = time.GetUtcNow();
            var createdAt = PostgresTime.Truncate(now);
            result = decision is { Outcome: DecisionOutcomes.Approved, Terms: { } terms, Band: { } band }
                ? new PrequalificationResponse(id, "offer", new OfferRange(policy.Value.MinimumCreditLimit, terms.CreditLimit, band.AprMin, band.AprMax, terms.Currency),
                    [], decision.ScoreUsed, decision.PolicyVersion, createdAt)
                : new PrequalificationResponse(id, "no_offer", null, decision.Reasons, decision.ScoreUsed, decision.PolicyVersion, createdAt);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var pullId = await store.RecordPullAsync(transaction, null, id, InquiryType.Soft, PrequalificationPurpose, bureauOptions.Value.BureauName, pull, cancellationToken);
        await audit.AppendAsync(UnderwritingAudit.BureauPull("prequalification", id, pullId, InquiryType.Soft, PrequalificationPurpose, pull, actor, origin),
            transaction, cancellationToken);
        if (result is not null) await store.RecordPrequalificationAsync(transaction, id, applicant.Ssn, result, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
