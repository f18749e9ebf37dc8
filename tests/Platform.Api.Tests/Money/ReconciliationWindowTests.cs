using System.Net.Http.Json;
using Npgsql;
using Platform.Api.Reconciliation;

namespace Platform.Api.Tests.Money;

/// <summary>
/// Reconciliation over a period: the processor stamps its record after the platform's row, by as long as it took to
/// answer, so an authorization made just before the period can have its processor record inside it. That is not an
/// approval the platform does not know; one that truly is unknown still is reported.
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed class ReconciliationWindowTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_authorization_made_just_before_the_period_with_its_processor_record_inside_it_is_not_unknown()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var before = await driver.AuthorizeAsync(card.Id, 1_200);
        var (platformCreated, processorId, _) = await PlatformRowAsync(before.Id);
        var processorCreated = await ProcessorCreatedAtAsync(processorId);
        Assert.True(processorCreated > platformCreated, $"processor record {processorCreated:O}, platform row {platformCreated:O}");
        // A purchase inside the period on the same card, so the card's processor records are read.
        await driver.AuthorizeAsync(card.Id, 800);

        var report = await ReconcileAsync(processorCreated, DateTimeOffset.UtcNow.AddSeconds(1));

        Assert.DoesNotContain(report.Differences, d => d.ProcessorAuthorizationId == processorId);
        Assert.True(report.Matched, Describe(report));
    }

    [Fact]
    public async Task An_approval_at_the_processor_that_the_platform_never_made_is_reported()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var known = await driver.AuthorizeAsync(card.Id, 900);
        var (_, _, cardToken) = await PlatformRowAsync(known.Id);
        var stranger = "auth_stranger_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(fixture.ProcessorDatabase))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                insert into processor_sim.authorizations (authorization_id, card_token, amount, currency, merchant_name, merchant_mcc, merchant_country,
                    approved, response_code, approved_amount, status, created_at)
                values ($1, $2, 4200, 'USD', 'Nobody We Know', '5411', 'US', true, '00', 4200, 'approved', now())
                """, connection) { Parameters = { new() { Value = stranger }, new() { Value = cardToken } } };
            await insert.ExecuteNonQueryAsync();
        }

        var report = await ReconcileAsync(from, DateTimeOffset.UtcNow.AddSeconds(1));

        var difference = Assert.Single(report.Differences, d => d.ProcessorAuthorizationId == stranger);
        Assert.Equal("unknown_to_platform", difference.Kind);
        Assert.DoesNotContain(report.Differences, d => d.AuthorizationId == known.Id);
    }

    private async Task<(DateTimeOffset Created, string ProcessorId, string CardToken)> PlatformRowAsync(Guid authorizationId)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var read = new NpgsqlCommand("""
            select a.created_at, a.processor_authorization_id, c.processor_card_token
            from core.authorizations a join core.cards c on c.card_id = a.card_id where a.authorization_id = $1
            """, connection) { Parameters = { new() { Value = authorizationId } } };
        await using var row = await read.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        return (row.GetFieldValue<DateTimeOffset>(0), row.GetString(1), row.GetString(2));
    }

    private async Task<DateTimeOffset> ProcessorCreatedAtAsync(string processorId)
    {
        await using var connection = new NpgsqlConnection(fixture.ProcessorDatabase);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("select created_at from processor_sim.authorizations where authorization_id = $1", connection)
        {
            Parameters = { new() { Value = processorId } },
        };
        await using var row = await read.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        return row.GetFieldValue<DateTimeOffset>(0);
    }

    private async Task<ReconciliationReport> ReconcileAsync(DateTimeOffset from, DateTimeOffset to) =>
        (await fixture.Client.GetFromJsonAsync<ReconciliationReport>(
            $"/v1/reconciliation/processor?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"))!;

    private static string Describe(ReconciliationReport report) =>
        string.Join("\n", report.Differences.Select(d => $"{d.Kind}: {d.Detail} ({d.Platform} / {d.Processor})"));
}
