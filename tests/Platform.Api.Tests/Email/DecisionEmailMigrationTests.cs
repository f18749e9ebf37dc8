using Dapper;
using Npgsql;
using Platform.Api.Data;
using Platform.Testing;

namespace Platform.Api.Tests.Email;

/// <summary>
/// Migration 0010 moves decision e-mail requests still waiting on an existing database into the outbox before it drops
/// <c>core.email_requests</c>: none is lost, none is sent twice, and one that had given up waits as a dead letter.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DecisionEmailMigrationTests(PlatformStoresFixture stores)
{
    private const int MovingMigration = 10;

    [Fact]
    public async Task Waiting_requests_move_into_the_outbox_and_the_table_goes()
    {
        await using var dataSource = NpgsqlDataSource.Create(await stores.Postgres.CreateDatabaseAsync("emailmove"));
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var migration in DatabaseMigrator.SqlMigrations.Migrations.Where(m => m.Version < MovingMigration))
            await connection.ExecuteAsync(migration.Sql);
        var waiting = await RequestAsync(connection, "requested", attempts: 2, lastError: null, emailed: false);
        var failed = await RequestAsync(connection, "failed", attempts: 50, lastError: "ArgumentException: A recipient is not a valid e-mail address.", emailed: false);
        await RequestAsync(connection, "requested", attempts: 0, lastError: null, emailed: true);
        await RequestAsync(connection, "sent", attempts: 0, lastError: null, emailed: true);

        await connection.ExecuteAsync(DatabaseMigrator.SqlMigrations.Migrations.Single(m => m.Version == MovingMigration).Sql);

        var moved = (await connection.QueryAsync<MovedRow>("""
            select subject_id, payload->>'recipient' as recipient, status, attempts, last_error, completed_at is not null as completed
            from core.outbox where kind = 'email.credit-decision' order by outbox_id
            """)).ToList();
        Assert.Equal(
            [
                new MovedRow(waiting, "waiting@example.com", "pending", 0, null, false),
                new MovedRow(failed, "failed@example.com", "dead", 50, "ArgumentException: A recipient is not a valid e-mail address.", true),
            ],
            moved);
        Assert.Null(await connection.ExecuteScalarAsync<string>("select to_regclass('core.email_requests')::text"));
    }

    /// <returns>The decision the request asks to mail.</returns>
    private static async Task<Guid> RequestAsync(NpgsqlConnection connection, string status, int attempts, string? lastError, bool emailed)
    {
        var (applicationId, decisionId, emailId) = (Guid.NewGuid(), Guid.NewGuid(), emailed ? Guid.NewGuid() : (Guid?)null);
        await connection.ExecuteAsync("""
            insert into core.applications (application_id, applicant_digest, first_name, last_name, ssn_sealed, date_of_birth_sealed, pii_key_id,
                ssn_last4, address_line1, address_city, address_state, address_postal_code, email, phone, annual_income, monthly_housing_cost,
                currency, status, created_at, updated_at)
            values (@applicationId, '\x00', 'Grace', 'Hopper', '\x00', '\x00', 'k1', '1234', '1 Main St', 'Springfield', 'IL', '62701',
                'grace@example.com', '+15555550100', 9000000, 150000, 'USD', 'declined', now(), now());
            insert into core.credit_decisions (decision_id, application_id, outcome, policy_version, currency, reasons, inputs, decided_by, decided_at)
            values (@decisionId, @applicationId, 'declined', 'v1', 'USD', '[]', '{}', 'api', now());
            """, new { applicationId, decisionId });
        if (emailId is not null)
        {
            await connection.ExecuteAsync("""
                insert into core.emails (email_id, template, model, recipients, status, created_at)
                values (@emailId, 'credit-decision', '{}', array['grace@example.com'], 'queued', now())
                """, new { emailId });
        }
        await connection.ExecuteAsync("""
            insert into core.email_requests (email_request_id, template, recipient, application_id, decision_id, status, created_at, email_id, attempts, last_error)
            values (@requestId, 'credit-decision', @recipient, @applicationId, @decisionId, @status, now(), @emailId, @attempts, @lastError)
            """, new { requestId = Guid.NewGuid(), recipient = $"{(status == "failed" ? "failed" : "waiting")}@example.com", applicationId, decisionId, status, emailId, attempts, lastError });
        return decisionId;
    }

    private sealed record MovedRow(Guid SubjectId, string Recipient, string Status, int Attempts, string? LastError, bool Completed);
}
