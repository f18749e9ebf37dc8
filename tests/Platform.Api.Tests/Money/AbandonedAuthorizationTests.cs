using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Platform.Api.Authorizations;
using Platform.Api.Idempotency;

namespace Platform.Api.Tests.Money;

/// <summary>
/// An authorization left pending by an instance that stopped between holding the credit and hearing from the
/// processor: the hold sweeper declines it, and what it records is what any other decline records.
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed class AbandonedAuthorizationTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_replay_of_an_authorization_the_sweeper_declined_has_the_shape_of_any_decline_with_one_audit_event()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 10_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        var firstKey = Guid.NewGuid().ToString();
        var approved = await driver.AuthorizeAsync(card.Id, 1_000, firstKey);
        Assert.Equal("approved", approved.Status);

        var key = Guid.NewGuid().ToString();
        var abandonedId = await LeavePendingAsync(card.Id, account.Id, firstKey, key, amount: 2_000);

        // The sweeper's own timer may get there first; either way the same code records the decline.
        await fixture.Api.Services.GetServices<IHostedService>().OfType<HoldSweeper>().Single().DeclineAbandonedAsync(CancellationToken.None);

        var replay = await driver.AuthorizeRawAsync(card.Id, 2_000, key);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var replayed = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement;
        var declinedHere = await driver.AuthorizeRawAsync(card.Id, 50_000);
        var ordinary = JsonDocument.Parse(await declinedHere.Content.ReadAsStringAsync()).RootElement;

        // The same members as a decline the real-time path recorded, the fraud answer included.
        Assert.Equal(Shape(ordinary), Shape(replayed));
        var answer = replayed.Deserialize<AuthorizationResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal((abandonedId, "declined", "91", "processor_unavailable", 0L), (answer.Id, answer.Status, answer.ResponseCode, answer.DeclineReason, answer.ApprovedAmount));
        Assert.Equal(new FraudSummary("unavailable", "approve", null), answer.Fraud);
        Assert.Equal(9_000, answer.AvailableCredit);
        Assert.Equal(0, answer.CreatedAt.Ticks % 10);
        Assert.Equal(9_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);

        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var events = new NpgsqlCommand("""
            select event_type, details::text from audit.events where resource_id = @id and event_type like 'authorization.%' order by sequence
            """, connection);
        events.Parameters.AddWithValue("id", abandonedId.ToString());
        var recorded = new List<(string Type, JsonElement Details)>();
        await using (var reader = await events.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) recorded.Add((reader.GetString(0), JsonDocument.Parse(reader.GetString(1)).RootElement));
        }
        var decision = Assert.Single(recorded, e => e.Type is "authorization.declined" or "authorization.approved");
        Assert.Equal("authorization.declined", decision.Type);
        Assert.Equal(card.Id.ToString(), decision.Details.GetProperty("cardId").GetString());
        Assert.Equal("processor_unavailable", decision.Details.GetProperty("declineReason").GetString());
        Assert.Equal("abandoned", decision.Details.GetProperty("cause").GetString());
        Assert.True(decision.Details.GetProperty("reversalQueued").GetBoolean());
    }

    private static string Shape(JsonElement answer) => string.Join(",", answer.EnumerateObject()
        .Select(p => p.Value.ValueKind == JsonValueKind.Object ? $"{p.Name}{{{Shape(p.Value)}}}" : $"{p.Name}:{(p.Value.ValueKind == JsonValueKind.Null ? "null" : "value")}"));

    /// <summary>
    /// What phase 2 of an authorization commits (the key claimed, the pending row, the hold and its posting) for a
    /// request the driver would send, created an hour ago: the instance that wrote it never came back.
    /// </summary>
    private async Task<Guid> LeavePendingAsync(Guid cardId, Guid accountId, string keyOfTheSameCaller, string key, long amount)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var tx = await connection.BeginTransactionAsync();
        string scope;
        await using (var read = new NpgsqlCommand("select scope from core.idempotency_keys where idempotency_key = @key", connection, tx))
        {
            read.Parameters.AddWithValue("key", keyOfTheSameCaller);
            scope = (string)(await read.ExecuteScalarAsync())!;
        }
        var request = new AuthorizeRequest(cardId, amount, "USD", new MerchantRequest(null, "Corner Grocer", "5411", "US"), null);
        await using var write = new NpgsqlCommand("""
            insert into core.idempotency_keys (scope, idempotency_key, request_hash, status_code, created_at) values (@scope, @key, @hash, 0, now() - interval '1 hour');
            insert into core.authorizations (authorization_id, account_id, card_id, amount, currency, merchant_name, merchant_mcc, merchant_country,
                status, held_amount, fraud_check, fraud_action, fraud_score, idempotency_scope, idempotency_key, created_at)
            values (@id, @account, @card, @amount, 'USD', 'Corner Grocer', '5411', 'US', 'pending', @amount, 'unavailable', 'approve', null, @scope, @key, now() - interval '1 hour');
            update core.accounts set held_amount = held_amount + @amount where account_id = @account;
            insert into core.ledger_postings (account_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at)
            values (@account, 'hold', 'held', @amount, 'USD', @id, null, 'Hold: Corner Grocer', now() - interval '1 hour');
            """, connection, tx);
        write.Parameters.AddWithValue("scope", scope);
        write.Parameters.AddWithValue("key", key);
        write.Parameters.AddWithValue("hash", IdempotencyStore.Hash(scope, request, MoneyJsonContext.Default.AuthorizeRequest));
        write.Parameters.AddWithValue("id", id);
        write.Parameters.AddWithValue("account", accountId);
        write.Parameters.AddWithValue("card", cardId);
        write.Parameters.AddWithValue("amount", amount);
        await write.ExecuteNonQueryAsync();
        await tx.CommitAsync();
        return id;
    }
}
