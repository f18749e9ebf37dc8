using Platform.Api.Audit;
using Platform.Api.Integrations.Bureau;

namespace Platform.Api.Underwriting;

/// <summary>
/// The audit entries underwriting appends: pulls, decisions and PII reads. None carries an SSN or a date of birth;
/// the spine is read by operators and never redacted afterwards.
/// </summary>
internal static class UnderwritingAudit
{
    public const string PiiReadEvent = "pii.read";

    public static AuditEntry BureauPull(string subjectType, Guid subjectId, Guid pullId, InquiryType inquiryType, string permissiblePurpose,
        BureauPullResult pull, AuditActor actor, AuditOrigin? origin) =>
        FinancialAudit.Entry("bureau.pull", actor, origin, "bureau-pull", pullId, new Dictionary<string, object?>
        {
            ["subjectType"] = subjectType,
            ["subjectId"] = subjectId,
            ["inquiryType"] = inquiryType == InquiryType.Hard ? "hard" : "soft",
            ["permissiblePurpose"] = permissiblePurpose,
            ["reportId"] = pull.Report?.ReportId,
            ["score"] = pull.Report?.Score,
            ["unavailableCause"] = pull.UnavailableCause,
        }, pull.Answered ? AuditOutcome.Success : AuditOutcome.Failure);

    public static AuditEntry Decision(Guid applicationId, Guid decisionId, CreditDecision decision, Guid? accountId, Guid? cardId, int attempt,
        AuditActor actor, AuditOrigin? origin) =>
        FinancialAudit.Entry("credit.decision", actor, origin, "application", applicationId, new Dictionary<string, object?>
        {
            ["decisionId"] = decisionId,
            ["outcome"] = decision.Outcome,
            ["policyVersion"] = decision.PolicyVersion,
            ["reasons"] = decision.Reasons.Select(r => new Dictionary<string, string> { ["code"] = r.Code, ["text"] = r.Text }).ToList(),
            ["score"] = decision.ScoreUsed?.Score,
            ["scoreSource"] = decision.ScoreUsed?.Source,
            ["bureauReportId"] = decision.ScoreUsed?.ReportId,
            ["creditLimit"] = decision.Terms?.CreditLimit,
            ["apr"] = decision.Terms?.Apr,
            ["accountId"] = accountId,
            ["cardId"] = cardId,
            ["attempt"] = attempt,
        });

    /// <summary>Who read which unmasked fields of whose application, and why.</summary>
    public static AuditEntry PiiRead(Guid applicationId, IReadOnlyList<string> fields, string reason, AuditActor actor, AuditOrigin? origin) =>
        FinancialAudit.Entry(PiiReadEvent, actor, origin, "application", applicationId, new Dictionary<string, object?>
        {
            ["fields"] = fields,
            ["reason"] = reason,
        });

    public static AuditEntry ApplicationReceived(Guid applicationId, string ssnLast4, AuditActor actor, AuditOrigin? origin) =>
        FinancialAudit.Entry("application.received", actor, origin, "application", applicationId, new Dictionary<string, object?>
        {
            ["ssnLast4"] = ssnLast4,
        });
}
