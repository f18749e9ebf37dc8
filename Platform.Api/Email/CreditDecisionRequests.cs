using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Outbox;
using Platform.Api.Underwriting;

namespace Platform.Api.Email;

/// <summary>A decision underwriting asked to mail, with what its e-mail says.</summary>
internal sealed record CreditDecisionRequest(Guid DecisionId, string Recipient, CreditDecisionEmailModel Model);

/// <summary>
/// Underwriting's requests to mail a credit decision: an outbox item (kind <see cref="Kind"/>, subject the decision,
/// the recipient in its payload) written in the decision's transaction, so every decision asks exactly once, and read
/// back with the decision, its reasons and score disclosure. Only names, terms, reasons and the score are read: the
/// sealed SSN and date of birth never leave underwriting.
/// </summary>
internal sealed class CreditDecisionRequests(IOptions<AdverseActionOptions> adverseAction)
{
    public const string Kind = "email.credit-decision";

    /// <summary>The decision as its e-mail renders it; null when there is no such decision.</summary>
    /// <exception cref="JsonException">The stored reasons or disclosure cannot be read.</exception>
    public async Task<CreditDecisionRequest?> ReadAsync(NpgsqlTransaction transaction, Guid decisionId, string recipient, CancellationToken cancellationToken)
    {
        var row = await transaction.Connection!.QuerySingleOrDefaultAsync<DecisionRow>(new CommandDefinition("""
            select a.first_name, a.last_name,
                   d.outcome, d.credit_limit, d.apr, d.currency, d.reasons::text as reasons, d.score_disclosure::text as score_disclosure, d.decided_at,
                   case when p.outcome = 'answered' then p.bureau end as bureau
            from core.credit_decisions d
            join core.applications a on a.application_id = d.application_id
            left join core.bureau_pulls p on p.pull_id = d.bureau_pull_id
            where d.decision_id = @decisionId
            """, new { decisionId }, transaction, cancellationToken: cancellationToken));
        if (row is null) return null;
        var reasons = JsonSerializer.Deserialize(row.Reasons, UnderwritingJsonContext.Default.ListDecisionReason) ?? [];
        var disclosure = row.ScoreDisclosure is null ? null : JsonSerializer.Deserialize(row.ScoreDisclosure, UnderwritingJsonContext.Default.ScoreDisclosure);
        var bureau = disclosure?.Source ?? row.Bureau;
        ConsumerReportingAgency? agency = null;
        var model = new CreditDecisionEmailModel(
            DisplayName: $"{row.FirstName} {row.LastName}",
            Outcome: row.Outcome,
            DecidedAt: row.DecidedAt,
            CreditLimit: row.CreditLimit,
            Apr: row.Apr,
            Currency: row.Currency,
            Reasons: [.. reasons.Select(r => new CreditDecisionReason(r.Code, r.Text))],
            Score: disclosure is null ? null : new CreditScoreDisclosure(disclosure.Score, disclosure.RangeMin, disclosure.RangeMax, disclosure.Model,
                disclosure.Source, disclosure.Date, [.. disclosure.KeyFactors.Select(f => new CreditDecisionReason(f.Code, f.Text))]),
            BureauName: bureau is not null && adverseAction.Value.ConsumerReportingAgencies.TryGetValue(bureau, out agency) ? agency.Name : bureau,
            BureauAddress: agency?.Address,
            BureauPhone: agency?.TollFreePhone,
            CreditorName: adverseAction.Value.CreditorName,
            CreditorAddress: adverseAction.Value.CreditorAddress);
        return new CreditDecisionRequest(decisionId, recipient, model);
    }

    /// <summary>The recipient the request names; null when the payload has none.</summary>
    public static string? Recipient(OutboxMessage message) =>
        message.Payload.ValueKind == JsonValueKind.Object && message.Payload.TryGetProperty("recipient", out var recipient) && recipient.ValueKind == JsonValueKind.String
            ? recipient.GetString()
            : null;

    private sealed record DecisionRow(string FirstName, string LastName, string Outcome, long? CreditLimit, decimal? Apr, string Currency, string Reasons,
        string? ScoreDisclosure, DateTimeOffset DecidedAt, string? Bureau);
}

public static class CreditDecisionEmailRequests
{
    /// <summary>
    /// Asks for the decision's e-mail inside the decision's <paramref name="transaction"/>: it exists exactly when the
    /// decision does. The outbox delivers it (<see cref="CreditDecisionMailer"/>); call <see cref="OutboxStore.Wake"/> after committing.
    /// </summary>
    public static Task RequestDecisionEmailAsync(this OutboxStore outbox, NpgsqlTransaction transaction, Guid decisionId, string recipient,
        CancellationToken cancellationToken) =>
        outbox.EnqueueAsync(transaction, CreditDecisionRequests.Kind, decisionId,
            JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["recipient"] = recipient }), cancellationToken);
}
