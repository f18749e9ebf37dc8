using System.Text.Json;
using Npgsql;
using Platform.Api.Data;
using Platform.Api.Underwriting;

namespace Platform.Api.Email;

/// <summary>A decision underwriting asked to mail, with what its e-mail says.</summary>
internal sealed record CreditDecisionRequest(Guid RequestId, Guid DecisionId, string Recipient, CreditDecisionEmailModel Model);

/// <summary>
/// Underwriting's <c>core.email_requests</c> rows for template <c>credit-decision</c>, read together with the decision,
/// its reasons and score disclosure. Only names, terms, reasons and the score are read: the sealed SSN and date of
/// birth never leave underwriting.
/// </summary>
internal sealed class CreditDecisionRequests(TimeProvider time, Microsoft.Extensions.Options.IOptions<AdverseActionOptions> adverseAction)
{
    /// <summary>Locks the oldest due request in <paramref name="transaction"/>; other instances skip it.</summary>
    public async Task<(Guid RequestId, CreditDecisionRequest? Request, Exception? Error)?> ClaimNextAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(transaction.Connection!, transaction, """
            select r.email_request_id, r.decision_id, r.recipient, a.first_name, a.last_name,
                   d.outcome, d.credit_limit, d.apr, d.currency, d.reasons::text, d.score_disclosure::text, d.decided_at,
                   case when p.outcome = 'answered' then p.bureau end
            from core.email_requests r
            join core.applications a on a.application_id = r.application_id
            join core.credit_decisions d on d.decision_id = r.decision_id
            left join core.bureau_pulls p on p.pull_id = d.bureau_pull_id
            where r.status = 'requested' and r.template = 'credit-decision' and r.email_id is null
              and (r.next_attempt_at is null or r.next_attempt_at <= $1)
            order by r.created_at
            limit 1
            for update of r skip locked
            """, time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var requestId = reader.GetGuid(0);
        try
        {
            var reasons = JsonSerializer.Deserialize(reader.GetString(9), UnderwritingJsonContext.Default.ListDecisionReason) ?? [];
            var disclosure = reader.IsDBNull(10) ? null : JsonSerializer.Deserialize(reader.GetString(10), UnderwritingJsonContext.Default.ScoreDisclosure);
            var bureau = disclosure?.Source ?? (reader.IsDBNull(12) ? null : reader.GetString(12));
            ConsumerReportingAgency? agency = null;
            var model = new CreditDecisionEmailModel(
                DisplayName: $"{reader.GetString(3)} {reader.GetString(4)}",
                Outcome: reader.GetString(5),
                DecidedAt: reader.GetFieldValue<DateTimeOffset>(11),
                CreditLimit: reader.IsDBNull(6) ? null : reader.GetInt64(6),
                Apr: reader.IsDBNull(7) ? null : reader.GetDecimal(7),
                Currency: reader.GetString(8),
                Reasons: [.. reasons.Select(r => new CreditDecisionReason(r.Code, r.Text))],
                Score: disclosure is null ? null : new CreditScoreDisclosure(disclosure.Score, disclosure.RangeMin, disclosure.RangeMax, disclosure.Model,
                    disclosure.Source, disclosure.Date, [.. disclosure.KeyFactors.Select(f => new CreditDecisionReason(f.Code, f.Text))]),
                BureauName: bureau is not null && adverseAction.Value.ConsumerReportingAgencies.TryGetValue(bureau, out agency) ? agency.Name : bureau,
                BureauAddress: agency?.Address,
                BureauPhone: agency?.TollFreePhone,
                CreditorName: adverseAction.Value.CreditorName,
                CreditorAddress: adverseAction.Value.CreditorAddress);
            return (requestId, new CreditDecisionRequest(requestId, reader.GetGuid(1), reader.GetString(2), model), null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidCastException or NotSupportedException)
        {
            return (requestId, null, ex);
        }
    }

    public async Task LinkAsync(NpgsqlTransaction transaction, Guid requestId, Guid emailId, CancellationToken cancellationToken) =>
        await Sql.ExecuteAsync(transaction.Connection!, transaction, "update core.email_requests set email_id = $2, last_error = null where email_request_id = $1",
            cancellationToken, requestId, emailId);

    /// <summary>Backs the request off; after <paramref name="maxAttempts"/> it is 'failed' and waits for an operator.</summary>
    public async Task RecordFailureAsync(NpgsqlConnection connection, Guid requestId, string error, TimeSpan backoff, int maxAttempts, CancellationToken cancellationToken) =>
        await Sql.ExecuteAsync(connection, null, """
            update core.email_requests set attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
                status = case when attempts + 1 >= $4 then 'failed' else status end
            where email_request_id = $1 and status = 'requested'
            """, cancellationToken, requestId, error.Length > 1000 ? error[..1000] : error, time.GetUtcNow() + backoff, maxAttempts);
}
