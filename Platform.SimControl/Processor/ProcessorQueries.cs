using System.Text.Json;
using Dapper;
using Npgsql;

namespace Platform.SimControl.Processor;

/// <summary>The read models of processor-sim's records, for the processor's list/get API, reconciliation and the panel.</summary>
internal sealed class ProcessorQueries(NpgsqlDataSource dataSource)
{
    private const string AuthorizationColumns = """
        authorization_id, card_token, amount, currency, merchant_name, merchant_mcc, merchant_country, approved, response_code,
        approved_amount, captured_amount, refunded_amount, status, created_at
        """;

    private const string OperationColumns = "operation_id, kind, status, authorization_id, amount, currency, failure_reason, created_at, completed_at";

    private const string CardColumns = "card_token, type, status, last4, expiry_month, expiry_year, reference, created_at, updated_at";

    private const string WebhookColumns = "webhook_id, event_type, status, attempts, last_status_code, last_error, created_at, next_attempt_at, delivered_at, payload::text as payload";

    private sealed record AuthorizationRow(string AuthorizationId, string CardToken, long Amount, string Currency, string MerchantName, string MerchantMcc,
        string MerchantCountry, bool Approved, string ResponseCode, long ApprovedAmount, long CapturedAmount, long RefundedAmount, string Status, DateTimeOffset CreatedAt)
    {
        public AuthorizationRecord ToRecord(IReadOnlyList<OperationResponse> operations) => new(AuthorizationId, CardToken, Amount, Currency,
            new MerchantInfo(MerchantName, MerchantMcc, MerchantCountry), Approved, ResponseCode, ApprovedAmount, CapturedAmount, RefundedAmount, Status, CreatedAt, operations);
    }

    internal sealed record WebhookRow(string WebhookId, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? DeliveredAt, string Payload)
    {
        public WebhookRecord ToRecord() => new(WebhookId, EventType, Status, Attempts, LastStatusCode, LastError, CreatedAt, NextAttemptAt, DeliveredAt,
            JsonDocument.Parse(Payload).RootElement.Clone());
    }

    /// <summary>
    /// Newest first. <paramref name="startingAfter"/> (an authorization id from the previous page) continues the list
    /// after that record, as a processor's list API pages: stable while new records keep arriving at the top.
    /// </summary>
    public async Task<IReadOnlyList<AuthorizationRecord>> ListAuthorizationsAsync(DateTimeOffset? from, DateTimeOffset? to, string? cardToken, string? startingAfter,
        int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuthorizationRow>(new CommandDefinition($"""
            select {AuthorizationColumns} from processor_sim.authorizations
            where (@from::timestamptz is null or created_at >= @from) and (@to::timestamptz is null or created_at < @to) and (@cardToken::text is null or card_token = @cardToken)
              and (@startingAfter::text is null or (created_at, authorization_id) < (select created_at, authorization_id from processor_sim.authorizations where authorization_id = @startingAfter))
            order by created_at desc, authorization_id desc limit @limit
            """, new { from, to, cardToken, startingAfter, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord([]))];
    }

    public async Task<AuthorizationRecord?> GetAuthorizationAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var operations = (await connection.QueryAsync<OperationResponse>(new CommandDefinition(
            $"select {OperationColumns} from processor_sim.operations where authorization_id = @id order by created_at", new { id }, cancellationToken: cancellationToken))).ToList();
        var row = await connection.QuerySingleOrDefaultAsync<AuthorizationRow>(new CommandDefinition(
            $"select {AuthorizationColumns} from processor_sim.authorizations where authorization_id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToRecord(operations);
    }

    public async Task<IReadOnlyList<OperationResponse>> ListOperationsAsync(string? kind, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<OperationResponse>(new CommandDefinition($"""
            select {OperationColumns} from processor_sim.operations
            where (@kind::text is null or kind = @kind) and (@status::text is null or status = @status) order by created_at desc, operation_id desc limit @limit
            """, new { kind, status, limit }, cancellationToken: cancellationToken))];
    }

    public async Task<OperationResponse?> GetOperationAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<OperationResponse>(new CommandDefinition(
            $"select {OperationColumns} from processor_sim.operations where operation_id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<CardResponse>> ListCardsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<CardResponse>(new CommandDefinition(
            $"select {CardColumns} from processor_sim.cards order by created_at desc limit @limit", new { limit }, cancellationToken: cancellationToken))];
    }

    public async Task<CardResponse?> GetCardAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadCardAsync(token, connection, null, cancellationToken);
    }

    /// <summary>A card as its webhook reports it (the completer reads it inside its own transaction).</summary>
    internal static Task<CardResponse?> ReadCardAsync(string token, NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<CardResponse>(new CommandDefinition(
            $"select {CardColumns} from processor_sim.cards where card_token = @token", new { token }, tx, cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<WebhookRecord>> ListWebhooksAsync(string? status, string? type, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookRow>(new CommandDefinition($"""
            select {WebhookColumns}
            from processor_sim.webhooks where (@status::text is null or status = @status) and (@type::text is null or event_type = @type)
            order by created_at desc, webhook_id desc limit @limit
            """, new { status, type, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    internal const string WebhookRecordColumns = WebhookColumns;
}
