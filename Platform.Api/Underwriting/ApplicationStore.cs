using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Platform.Api.Integrations.Bureau;
using Platform.Api.Pii;

namespace Platform.Api.Underwriting;

/// <summary>The application row as a decision transaction locked it.</summary>
internal sealed record LockedApplication(string Status, int Attempts, string? PreviousOutcome, string Email);

/// <summary>Applications, bureau pulls, decisions and prequalifications in PostgreSQL. PII is sealed here.</summary>
public sealed class ApplicationStore(NpgsqlDataSource dataSource, PiiProtector pii, TimeProvider time)
{
    private const string SsnField = "ssn";
    private const string DateOfBirthField = "date_of_birth";

    /// <summary>
    /// Takes an application in, unless the same applicant (by SSN digest) applied within <paramref name="duplicateWindow"/>:
    /// then returns that one. The digest's advisory lock makes two simultaneous submissions find each other.
    /// The new row is due for the retry worker after <paramref name="lease"/>, so an intake whose evaluation never
    /// finished (a crash) is still decided.
    /// </summary>
    public async Task<(Guid ApplicationId, bool Created)> IntakeAsync(NpgsqlTransaction transaction, ApplicantIdentity applicant, string? clientIp,
        string? ownerUserId, TimeSpan duplicateWindow, TimeSpan lease, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var now = time.GetUtcNow();
        var digest = pii.SsnDigest(applicant.Ssn);
        await Execute(connection, transaction, "select pg_advisory_xact_lock($1)", cancellationToken, BitConverter.ToInt64(digest, 0));
        await using (var find = Command(connection, transaction, """
            select application_id from core.applications where applicant_digest = $1 and created_at > $2 and owner_user_id is not distinct from $3
            order by created_at desc limit 1
            """, digest, now - duplicateWindow, (object?)ownerUserId ?? DBNull.Value))
        {
            if (await find.ExecuteScalarAsync(cancellationToken) is Guid existing) return (existing, false);
        }

        var id = Guid.CreateVersion7(now);
        var ssn = pii.Seal(applicant.Ssn, id, SsnField);
        var dob = pii.Seal(applicant.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), id, DateOfBirthField);
        await Execute(connection, transaction, """
            insert into core.applications (application_id, applicant_digest, first_name, last_name, ssn_sealed, date_of_birth_sealed, pii_key_id,
                ssn_last4, address_line1, address_line2, address_city, address_state, address_postal_code, email, phone, annual_income,
                monthly_housing_cost, currency, status, next_attempt_at, attempts, client_ip, created_at, updated_at, owner_user_id)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'received', $19, 1, $20, $21, $21, $22)
            """, cancellationToken, id, digest, applicant.FirstName, applicant.LastName, ssn.Payload, dob.Payload, ssn.KeyId,
            Ssn.Last4(applicant.Ssn), applicant.Address.Line1, applicant.Address.Line2, applicant.Address.City, applicant.Address.State,
            applicant.Address.PostalCode, applicant.Email, applicant.Phone, applicant.AnnualIncome, applicant.MonthlyHousingCost,
            applicant.Currency, now + lease, clientIp, now, ownerUserId);
        return (id, true);
    }

    public async Task<ApplicationResponse?> GetAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, """
            select a.application_id, a.status, a.first_name, a.last_name, a.ssn_last4, a.email, a.annual_income, a.monthly_housing_cost,
                   a.currency, a.account_id, a.card_id, a.created_at, a.updated_at,
                   d.decision_id, d.outcome, d.policy_version, d.credit_limit, d.apr, d.currency, d.reasons::text, d.score_disclosure::text, d.decided_at,
                   a.next_attempt_at
            from core.applications a left join core.credit_decisions d on d.decision_id = a.latest_decision_id
            where a.application_id = $1
            """, applicationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var status = reader.GetString(1);
        DecisionResponse? decision = null;
        if (!reader.IsDBNull(13))
        {
            decision = new DecisionResponse(reader.GetGuid(13), reader.GetString(14), reader.GetString(15),
                reader.IsDBNull(16) ? null : reader.GetInt64(16), reader.IsDBNull(17) ? null : reader.GetDecimal(17), reader.GetString(18).Trim(),
                JsonSerializer.Deserialize(reader.GetString(19), UnderwritingJsonContext.Default.ListDecisionReason)!,
                reader.IsDBNull(20) ? null : JsonSerializer.Deserialize(reader.GetString(20), UnderwritingJsonContext.Default.ScoreDisclosure),
                reader.GetFieldValue<DateTimeOffset>(21));
        }
        return new ApplicationResponse(reader.GetGuid(0), status,
            new ApplicantSummary(reader.GetString(2), reader.GetString(3), Ssn.Mask(reader.GetString(4)), reader.GetString(5)),
            reader.GetInt64(6), reader.GetInt64(7), reader.GetString(8).Trim(), decision,
            reader.IsDBNull(9) ? null : reader.GetGuid(9), reader.IsDBNull(10) ? null : reader.GetGuid(10),
            status is "received" or "pending_review" && !reader.IsDBNull(22) ? reader.GetFieldValue<DateTimeOffset>(22) : null,
            reader.GetFieldValue<DateTimeOffset>(11), reader.GetFieldValue<DateTimeOffset>(12));
    }

    /// <summary>Opens the sealed SSN and date of birth. Callers audit the read (who and why) before using the result.</summary>
    public async Task<ApplicantIdentity?> ReadIdentityAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, """
            select first_name, last_name, ssn_sealed, date_of_birth_sealed, pii_key_id, address_line1, address_line2, address_city,
                   address_state, address_postal_code, email, phone, annual_income, monthly_housing_cost, currency
            from core.applications where application_id = $1
            """, applicationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var keyId = reader.GetString(4);
        var ssn = pii.Open(new SealedValue(keyId, reader.GetFieldValue<byte[]>(2)), applicationId, SsnField);
        var dob = pii.Open(new SealedValue(keyId, reader.GetFieldValue<byte[]>(3)), applicationId, DateOfBirthField);
        return new ApplicantIdentity(reader.GetString(0), reader.GetString(1), DateOnly.ParseExact(dob, "yyyy-MM-dd", CultureInfo.InvariantCulture), ssn,
            new BureauAddress(reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7), reader.GetString(8).Trim(), reader.GetString(9)),
            reader.GetString(10), reader.GetString(11), reader.GetInt64(12), reader.GetInt64(13), reader.GetString(14).Trim());
    }

    /// <summary>Locks the row for a decision; null when it is already decided (another instance, or a person, got there first).</summary>
    internal async Task<LockedApplication?> LockUndecidedAsync(NpgsqlTransaction transaction, Guid applicationId, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction.Connection!, transaction, """
            select a.status, a.attempts, d.outcome, a.email
            from core.applications a left join core.credit_decisions d on d.decision_id = a.latest_decision_id
            where a.application_id = $1 for update of a
            """, applicationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var status = reader.GetString(0);
        return status is "received" or "pending_review"
            ? new LockedApplication(status, reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3))
            : null;
    }

    /// <summary>Records a pull, answered or not, for an application or a prequalification (exactly one of the two ids).</summary>
    public async Task<Guid> RecordPullAsync(NpgsqlTransaction transaction, Guid? applicationId, Guid? prequalificationId, InquiryType inquiryType,
        string permissiblePurpose, string bureau, BureauPullResult pull, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var report = pull.Report;
        await Execute(transaction.Connection!, transaction, """
            insert into core.bureau_pulls (pull_id, application_id, prequalification_id, inquiry_type, permissible_purpose, bureau, outcome,
                unavailable_cause, report_id, score, score_model, factors, flags, tradelines, report_generated_at, requested_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            """, cancellationToken, id, applicationId, prequalificationId, inquiryType == InquiryType.Hard ? "hard" : "soft", permissiblePurpose, bureau,
            report is null ? "unavailable" : "answered", pull.UnavailableCause, report?.ReportId, report?.Score, report?.ScoreModel,
            Json(report is null ? null : JsonSerializer.Serialize(report.Factors.ToList(), UnderwritingJsonContext.Default.ListBureauScoreFactor)),
            Json(report is null ? null : JsonSerializer.Serialize(report.Flags, UnderwritingJsonContext.Default.BureauFlags)),
            Json(report is null ? null : JsonSerializer.Serialize(report.Tradelines, UnderwritingJsonContext.Default.BureauTradelines)),
            report?.GeneratedAt, now);
        return id;
    }

    internal async Task<Guid> RecordDecisionAsync(NpgsqlTransaction transaction, Guid applicationId, CreditDecision decision, Guid? pullId,
        string decidedBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await Execute(transaction.Connection!, transaction, """
            insert into core.credit_decisions (decision_id, application_id, outcome, policy_version, credit_limit, apr, currency, reasons,
                score_disclosure, inputs, bureau_pull_id, decided_by, decided_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """, cancellationToken, id, applicationId, decision.Outcome, decision.PolicyVersion, decision.Terms?.CreditLimit, decision.Terms?.Apr,
            decision.Inputs.Currency,
            Json(JsonSerializer.Serialize(decision.Reasons.ToList(), UnderwritingJsonContext.Default.ListDecisionReason)),
            Json(decision.ScoreUsed is null ? null : JsonSerializer.Serialize(decision.ScoreUsed, UnderwritingJsonContext.Default.ScoreDisclosure)),
            Json(JsonSerializer.Serialize(decision.Inputs, UnderwritingJsonContext.Default.DecisionInputs)),
            pullId, decidedBy, now);
        return id;
    }

    /// <param name="nextAttemptAt">When the worker tries again; null when nothing automatic remains to do.</param>
    internal async Task CompleteEvaluationAsync(NpgsqlTransaction transaction, Guid applicationId, string status, Guid decisionId, Guid? accountId,
        Guid? cardId, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        await Execute(transaction.Connection!, transaction, """
            update core.applications set status = $2, latest_decision_id = $3, account_id = coalesce($4, account_id), card_id = coalesce($5, card_id),
                next_attempt_at = $6, claimed_until = null, updated_at = $7
            where application_id = $1
            """, cancellationToken, applicationId, status, decisionId, accountId, cardId, nextAttemptAt, time.GetUtcNow());
    }

    public async Task RecordPrequalificationAsync(NpgsqlTransaction transaction, Guid prequalificationId, string ssn, PrequalificationResponse result,
        CancellationToken cancellationToken)
    {
        await Execute(transaction.Connection!, transaction, """
            insert into core.prequalifications (prequalification_id, applicant_digest, outcome, policy_version, offer, reasons, created_at)
            values ($1, $2, $3, $4, $5, $6, $7)
            """, cancellationToken, prequalificationId, pii.SsnDigest(ssn), result.Outcome, result.PolicyVersion,
            Json(result.Offer is null ? null : JsonSerializer.Serialize(result.Offer, UnderwritingJsonContext.Default.OfferRange)),
            Json(JsonSerializer.Serialize(result.Reasons.ToList(), UnderwritingJsonContext.Default.ListDecisionReason)), result.CreatedAt);
    }

    private static NpgsqlParameter Json(string? json) => new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)json ?? DBNull.Value };

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
