using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using Platform.Api.Integrations.Bureau;
using Platform.Api.Pii;
using Platform.Data;

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
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@key)", new { key = BitConverter.ToInt64(digest, 0) }, transaction,
            cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            select application_id from core.applications where applicant_digest = @digest and created_at > @since and owner_user_id is not distinct from @ownerUserId
            order by created_at desc limit 1
            """, new { digest, since = now - duplicateWindow, ownerUserId }, transaction, cancellationToken: cancellationToken)) is { } existing)
            return (existing, false);

        var id = Guid.CreateVersion7(now);
        var ssn = pii.Seal(applicant.Ssn, id, SsnField);
        var dob = pii.Seal(applicant.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), id, DateOfBirthField);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into core.applications (application_id, applicant_digest, first_name, last_name, ssn_sealed, date_of_birth_sealed, pii_key_id,
                ssn_last4, address_line1, address_line2, address_city, address_state, address_postal_code, email, phone, annual_income,
                monthly_housing_cost, currency, status, next_attempt_at, attempts, client_ip, created_at, updated_at, owner_user_id)
            values (@id, @digest, @firstName, @lastName, @ssnSealed, @dateOfBirthSealed, @piiKeyId, @ssnLast4, @line1, @line2, @city, @state, @postalCode,
                @email, @phone, @annualIncome, @monthlyHousingCost, @currency, 'received', @nextAttemptAt, 1, @clientIp, @now, @now, @ownerUserId)
            """, new
            {
                id, digest, firstName = applicant.FirstName, lastName = applicant.LastName, ssnSealed = ssn.Payload, dateOfBirthSealed = dob.Payload,
                piiKeyId = ssn.KeyId, ssnLast4 = Ssn.Last4(applicant.Ssn), line1 = applicant.Address.Line1, line2 = applicant.Address.Line2,
                city = applicant.Address.City, state = applicant.Address.State, postalCode = applicant.Address.PostalCode, email = applicant.Email,
                phone = applicant.Phone, annualIncome = applicant.AnnualIncome, monthlyHousingCost = applicant.MonthlyHousingCost,
                currency = applicant.Currency, nextAttemptAt = now + lease, clientIp, now, ownerUserId,
            }, transaction, cancellationToken: cancellationToken));
        return (id, true);
    }

    public async Task<ApplicationResponse?> GetAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApplicationRow>(new CommandDefinition("""
            select a.application_id, a.status, a.first_name, a.last_name, a.ssn_last4, a.email, a.annual_income, a.monthly_housing_cost,
                   a.currency, a.account_id, a.card_id, a.created_at, a.updated_at,
                   d.decision_id, d.outcome, d.policy_version, d.credit_limit, d.apr, d.currency as decision_currency, d.reasons::text,
                   d.score_disclosure::text, d.decided_at, a.next_attempt_at
            from core.applications a left join core.credit_decisions d on d.decision_id = a.latest_decision_id
            where a.application_id = @applicationId
            """, new { applicationId }, cancellationToken: cancellationToken));
        return row?.ToResponse();
    }

    /// <summary>Opens the sealed SSN and date of birth. Callers audit the read (who and why) before using the result.</summary>
    public async Task<ApplicantIdentity?> ReadIdentityAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SealedApplicantRow>(new CommandDefinition("""
            select first_name, last_name, ssn_sealed, date_of_birth_sealed, pii_key_id, address_line1, address_line2, address_city,
                   address_state, address_postal_code, email, phone, annual_income, monthly_housing_cost, currency
            from core.applications where application_id = @applicationId
            """, new { applicationId }, cancellationToken: cancellationToken));
        if (row is null) return null;
        var ssn = pii.Open(new SealedValue(row.PiiKeyId, row.SsnSealed), applicationId, SsnField);
        var dob = pii.Open(new SealedValue(row.PiiKeyId, row.DateOfBirthSealed), applicationId, DateOfBirthField);
        return new ApplicantIdentity(row.FirstName, row.LastName, DateOnly.ParseExact(dob, "yyyy-MM-dd", CultureInfo.InvariantCulture), ssn,
            new BureauAddress(row.AddressLine1, row.AddressLine2, row.AddressCity, row.AddressState.Trim(), row.AddressPostalCode),
            row.Email, row.Phone, row.AnnualIncome, row.MonthlyHousingCost, row.Currency.Trim());
    }

    /// <summary>Locks the row for a decision; null when it is already decided (another instance, or a person, got there first).</summary>
    internal async Task<LockedApplication?> LockUndecidedAsync(NpgsqlTransaction transaction, Guid applicationId, CancellationToken cancellationToken)
    {
        var row = await transaction.Connection!.QuerySingleOrDefaultAsync<LockedApplicationRow>(new CommandDefinition("""
            select a.status, a.attempts, d.outcome as previous_outcome, a.email
            from core.applications a left join core.credit_decisions d on d.decision_id = a.latest_decision_id
            where a.application_id = @applicationId for update of a
            """, new { applicationId }, transaction, cancellationToken: cancellationToken));
        return row is { Status: "received" or "pending_review" } ? new LockedApplication(row.Status, row.Attempts, row.PreviousOutcome, row.Email) : null;
    }

    /// <summary>The signed-in customer who applied; null for an application made without an account.</summary>
    internal Task<string?> OwnerUserIdAsync(NpgsqlTransaction transaction, Guid applicationId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select owner_user_id from core.applications where application_id = @applicationId", new { applicationId }, transaction,
            cancellationToken: cancellationToken));

    /// <summary>Records a pull, answered or not, for an application or a prequalification (exactly one of the two ids).</summary>
    public async Task<Guid> RecordPullAsync(NpgsqlTransaction transaction, Guid? applicationId, Guid? prequalificationId, InquiryType inquiryType,
        string permissiblePurpose, string bureau, BureauPullResult pull, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var report = pull.Report;
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.bureau_pulls (pull_id, application_id, prequalification_id, inquiry_type, permissible_purpose, bureau, outcome,
                unavailable_cause, report_id, score, score_model, factors, flags, tradelines, report_generated_at, requested_at)
            values (@id, @applicationId, @prequalificationId, @inquiryType, @permissiblePurpose, @bureau, @outcome,
                @unavailableCause, @reportId, @score, @scoreModel, @factors, @flags, @tradelines, @reportGeneratedAt, @now)
            """, new
            {
                id, applicationId, prequalificationId, inquiryType = inquiryType == InquiryType.Hard ? "hard" : "soft", permissiblePurpose, bureau,
                outcome = report is null ? "unavailable" : "answered", unavailableCause = pull.UnavailableCause, reportId = report?.ReportId,
                score = report?.Score, scoreModel = report?.ScoreModel,
                factors = Jsonb(report is null ? null : JsonSerializer.Serialize(report.Factors.ToList(), UnderwritingJsonContext.Default.ListBureauScoreFactor)),
                flags = Jsonb(report is null ? null : JsonSerializer.Serialize(report.Flags, UnderwritingJsonContext.Default.BureauFlags)),
                tradelines = Jsonb(report is null ? null : JsonSerializer.Serialize(report.Tradelines, UnderwritingJsonContext.Default.BureauTradelines)),
                reportGeneratedAt = report?.GeneratedAt, now,
            }, transaction, cancellationToken: cancellationToken));
        return id;
    }

    internal async Task<Guid> RecordDecisionAsync(NpgsqlTransaction transaction, Guid applicationId, CreditDecision decision, Guid? pullId,
        string decidedBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.credit_decisions (decision_id, application_id, outcome, policy_version, credit_limit, apr, currency, reasons,
                score_disclosure, inputs, bureau_pull_id, decided_by, decided_at)
            values (@id, @applicationId, @outcome, @policyVersion, @creditLimit, @apr, @currency, @reasons,
                @scoreDisclosure, @inputs, @pullId, @decidedBy, @now)
            """, new
            {
                id, applicationId, outcome = decision.Outcome, policyVersion = decision.PolicyVersion, creditLimit = decision.Terms?.CreditLimit,
                apr = decision.Terms?.Apr, currency = decision.Inputs.Currency,
                reasons = Jsonb(JsonSerializer.Serialize(decision.Reasons.ToList(), UnderwritingJsonContext.Default.ListDecisionReason)),
                scoreDisclosure = Jsonb(decision.ScoreUsed is null ? null : JsonSerializer.Serialize(decision.ScoreUsed, UnderwritingJsonContext.Default.ScoreDisclosure)),
                inputs = Jsonb(JsonSerializer.Serialize(decision.Inputs, UnderwritingJsonContext.Default.DecisionInputs)),
                pullId, decidedBy, now,
            }, transaction, cancellationToken: cancellationToken));
        return id;
    }

    /// <param name="nextAttemptAt">When the worker tries again; null when nothing automatic remains to do.</param>
    internal async Task CompleteEvaluationAsync(NpgsqlTransaction transaction, Guid applicationId, string status, Guid decisionId, Guid? accountId,
        Guid? cardId, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            update core.applications set status = @status, latest_decision_id = @decisionId, account_id = coalesce(@accountId, account_id),
                card_id = coalesce(@cardId, card_id), next_attempt_at = @nextAttemptAt, claimed_until = null, updated_at = @now
            where application_id = @applicationId
            """, new { applicationId, status, decisionId, accountId, cardId, nextAttemptAt, now = time.GetUtcNow() }, transaction,
            cancellationToken: cancellationToken));
    }

    public async Task RecordPrequalificationAsync(NpgsqlTransaction transaction, Guid prequalificationId, string ssn, PrequalificationResponse result,
        CancellationToken cancellationToken)
    {
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.prequalifications (prequalification_id, applicant_digest, outcome, policy_version, offer, reasons, created_at)
            values (@prequalificationId, @digest, @outcome, @policyVersion, @offer, @reasons, @createdAt)
            """, new
            {
                prequalificationId, digest = pii.SsnDigest(ssn), outcome = result.Outcome, policyVersion = result.PolicyVersion,
                offer = Jsonb(result.Offer is null ? null : JsonSerializer.Serialize(result.Offer, UnderwritingJsonContext.Default.OfferRange)),
                reasons = Jsonb(JsonSerializer.Serialize(result.Reasons.ToList(), UnderwritingJsonContext.Default.ListDecisionReason)),
                createdAt = result.CreatedAt,
            }, transaction, cancellationToken: cancellationToken));
    }

    private static JsonParameter Jsonb(string? json) => JsonParameter.Jsonb(json);

    private sealed record ApplicationRow(
        Guid ApplicationId, string Status, string FirstName, string LastName, string SsnLast4, string Email, long AnnualIncome, long MonthlyHousingCost,
        string Currency, Guid? AccountId, Guid? CardId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
        Guid? DecisionId, string? Outcome, string? PolicyVersion, long? CreditLimit, decimal? Apr, string? DecisionCurrency, string? Reasons,
        string? ScoreDisclosure, DateTimeOffset? DecidedAt, DateTimeOffset? NextAttemptAt)
    {
        public ApplicationResponse ToResponse()
        {
            var decision = DecisionId is { } decisionId
                ? new DecisionResponse(decisionId, Outcome!, PolicyVersion!, CreditLimit, Apr, DecisionCurrency!.Trim(),
                    JsonSerializer.Deserialize(Reasons!, UnderwritingJsonContext.Default.ListDecisionReason)!,
                    ScoreDisclosure is null ? null : JsonSerializer.Deserialize(ScoreDisclosure, UnderwritingJsonContext.Default.ScoreDisclosure),
                    DecidedAt!.Value)
                : null;
            return new ApplicationResponse(ApplicationId, Status, new ApplicantSummary(FirstName, LastName, Ssn.Mask(SsnLast4), Email),
                AnnualIncome, MonthlyHousingCost, Currency.Trim(), decision, AccountId, CardId,
                Status is "received" or "pending_review" ? NextAttemptAt : null, CreatedAt, UpdatedAt);
        }
    }

    private sealed record SealedApplicantRow(
        string FirstName, string LastName, byte[] SsnSealed, byte[] DateOfBirthSealed, string PiiKeyId, string AddressLine1, string? AddressLine2,
        string AddressCity, string AddressState, string AddressPostalCode, string Email, string Phone, long AnnualIncome, long MonthlyHousingCost,
        string Currency);

    private sealed record LockedApplicationRow(string Status, int Attempts, string? PreviousOutcome, string Email);
}
