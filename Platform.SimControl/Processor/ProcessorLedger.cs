using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using static Platform.SimControl.Processor.ProcessorApi;

namespace Platform.SimControl.Processor;

/// <summary>
/// processor-sim's own records (authorizations, operations, cards, webhooks) in the <c>processor_sim</c> schema:
/// the processor's side of a reconciliation. Cards are kept by token and last four digits only.
/// </summary>
internal sealed class ProcessorLedger(NpgsqlDataSource dataSource, IOptions<ProcessorOptions> options, TimeProvider time)
{
    public static class OperationKinds
    {
        public const string Capture = "capture";
        public const string Refund = "refund";
        public const string Void = "void";
        public const string CardActivate = "card_activate";
        public const string CardShip = "card_ship";
        public const string CardDeliver = "card_deliver";
    }

    public async Task<WorkResult<AuthorizationResponse>> AuthorizeAsync(AuthorizeRequest request, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var amount = request.Amount;
        // Fixed draw order, so a seeded run gives the same answers whichever branch is taken.
        var approveDraw = ctx.Random.NextDouble();
        var partialDraw = ctx.Random.NextDouble();
        var declineCode = ctx.Random.Weighted(ctx.Settings.DeclineCodes) ?? "05";

        bool approved;
        long approvedAmount;
        string code;
        if (ctx.Header.DeclineCode is { } forcedCode) (approved, code) = (false, forcedCode);
        else if (ctx.Header.Approve) (approved, code) = (true, Iso8583ResponseCodes.Approved);
        else if (ctx.Header.Partial) (approved, code) = (true, Iso8583ResponseCodes.PartiallyApproved);
        else if (approveDraw < ctx.Effective.ApprovalRate)
            (approved, code) = (true, partialDraw < ctx.Settings.PartialApprovalRate ? Iso8583ResponseCodes.PartiallyApproved : Iso8583ResponseCodes.Approved);
        else (approved, code) = (false, declineCode);

        approvedAmount = !approved ? 0
            : code == Iso8583ResponseCodes.PartiallyApproved ? Math.Clamp(ctx.Header.PartialAmount ?? Math.Max(1, amount / 2), 1, amount)
            : amount;

        var id = "auth_" + Guid.CreateVersion7(ctx.Now).ToString("N");
        // The card's state is checked by the insert itself (one round trip): a token processor-sim issued but that failed
        // delivery or was closed cannot be used (code 14); unknown tokens are accepted so tests and load runs need not
        // issue cards first.
        await using (var insert = new NpgsqlCommand("""
            insert into processor_sim.authorizations (authorization_id, card_token, amount, currency, merchant_name, merchant_mcc,
                merchant_country, approved, response_code, approved_amount, status, created_at)
            select $1, $2, $3, $4, $5, $6, $7, $8 and not unusable, case when unusable then '14' else $9 end, case when unusable then 0 else $10 end,
                case when unusable then 'declined' else $11 end, $12
            from (select coalesce((select status in ('failed', 'closed') from processor_sim.cards where card_token = $2), false) as unusable) card
            returning approved, response_code, approved_amount
            """, connection, tx))
        {
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(request.CardToken!);
            insert.Parameters.AddWithValue(amount);
            insert.Parameters.AddWithValue(request.Currency!);
            insert.Parameters.AddWithValue(request.Merchant!.Name!);
            insert.Parameters.AddWithValue(request.Merchant.Mcc!);
            insert.Parameters.AddWithValue(request.Merchant.Country!);
            insert.Parameters.AddWithValue(approved);
            insert.Parameters.AddWithValue(code);
            insert.Parameters.AddWithValue(approvedAmount);
            insert.Parameters.AddWithValue(approved ? "approved" : "declined");
            insert.Parameters.AddWithValue(ctx.Now);
            await using var reader = await insert.ExecuteReaderAsync();
            await reader.ReadAsync();
            (approved, code, approvedAmount) = (reader.GetBoolean(0), reader.GetString(1), reader.GetInt64(2));
        }
        return WorkResult<AuthorizationResponse>.Done(new AuthorizationResponse(
            id, approved, code, Message(code), amount, approvedAmount, request.Currency!, request.CardToken!, ctx.Now));
    }

    public static string Message(string code) => code switch
    {
        Iso8583ResponseCodes.Approved => "Approved",
        Iso8583ResponseCodes.PartiallyApproved => "Partially approved",
        _ => Iso8583ResponseCodes.Declines.GetValueOrDefault(code, "Declined"),
    };

    private sealed record AuthorizationRow(bool Approved, long ApprovedAmount, long Captured, long Refunded, string Status, string Currency);

    private static async Task<AuthorizationRow?> LockAuthorizationAsync(string id, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        await using var select = new NpgsqlCommand("""
            select approved, approved_amount, captured_amount, refunded_amount, status, currency
            from processor_sim.authorizations where authorization_id = $1 for update
            """, connection, tx);
        select.Parameters.AddWithValue(id);
        await using var reader = await select.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new(reader.GetBoolean(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5));
    }

    private static WorkResult<OperationResponse> NotFound(string id) =>
        WorkResult<OperationResponse>.Refused(StatusCodes.Status404NotFound, "Authorization not found", $"No authorization {id}.");

    public async Task<WorkResult<OperationResponse>> CaptureAsync(string authorizationId, long? requested, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var auth = await LockAuthorizationAsync(authorizationId, connection, tx);
        if (auth is null) return NotFound(authorizationId);
        if (!auth.Approved) return WorkResult<OperationResponse>.Refused(409, "Authorization was declined", "A declined authorization cannot be captured.");
        if (auth.Status is "voided" or "voiding") return WorkResult<OperationResponse>.Refused(409, "Authorization is voided", "A voided authorization cannot be captured.");
        var remaining = auth.ApprovedAmount - auth.Captured;
        if (remaining <= 0) return WorkResult<OperationResponse>.Refused(409, "Nothing left to capture", "The approved amount has been captured in full.");
        var amount = requested ?? remaining;
        if (amount > remaining)
            return WorkResult<OperationResponse>.Refused(422, "Capture exceeds the approved amount", $"amount: at most {remaining} minor units remain capturable.");
        await Execute(connection, tx, "update processor_sim.authorizations set captured_amount = captured_amount + $2 where authorization_id = $1", authorizationId, amount);
        return WorkResult<OperationResponse>.Done(await InsertOperationAsync(OperationKinds.Capture, authorizationId, null, amount, auth.Currency, ctx, connection, tx));
    }

    public async Task<WorkResult<OperationResponse>> RefundAsync(string authorizationId, long? requested, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var auth = await LockAuthorizationAsync(authorizationId, connection, tx);
        if (auth is null) return NotFound(authorizationId);
        var refundable = auth.Captured - auth.Refunded;
        if (refundable <= 0) return WorkResult<OperationResponse>.Refused(409, "Nothing to refund", "Nothing captured on this authorization remains unrefunded.");
        var amount = requested ?? refundable;
        if (amount > refundable)
            return WorkResult<OperationResponse>.Refused(422, "Refund exceeds the captured amount", $"amount: at most {refundable} minor units remain refundable.");
        await Execute(connection, tx, "update processor_sim.authorizations set refunded_amount = refunded_amount + $2 where authorization_id = $1", authorizationId, amount);
        return WorkResult<OperationResponse>.Done(await InsertOperationAsync(OperationKinds.Refund, authorizationId, null, amount, auth.Currency, ctx, connection, tx));
    }

    public async Task<WorkResult<OperationResponse>> VoidAsync(string authorizationId, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var auth = await LockAuthorizationAsync(authorizationId, connection, tx);
        if (auth is null) return NotFound(authorizationId);
        if (!auth.Approved) return WorkResult<OperationResponse>.Refused(409, "Authorization was declined", "There is no hold to release on a declined authorization.");
        if (auth.Status is "voided" or "voiding") return WorkResult<OperationResponse>.Refused(409, "Already voided", "This authorization is already voided or being voided.");
        if (auth.Captured > 0) return WorkResult<OperationResponse>.Refused(409, "Authorization has captures", "A captured authorization cannot be voided; refund it instead.");
        await Execute(connection, tx, "update processor_sim.authorizations set status = 'voiding' where authorization_id = $1", authorizationId);
        return WorkResult<OperationResponse>.Done(await InsertOperationAsync(OperationKinds.Void, authorizationId, null, auth.ApprovedAmount, auth.Currency, ctx, connection, tx));
    }

    public async Task<WorkResult<IssuedCardResponse>> IssueCardAsync(IssueCardRequest request, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var token = "card_" + Guid.CreateVersion7(ctx.Now).ToString("N");
        var (pan, _) = CardNumbers.Derive(token, options.Value.WebhookSecret);
        var expiry = ctx.Now.AddYears(3);
        var isVirtual = request.Type == "virtual";
        var status = isVirtual ? "active" : "pending";
        await using (var insert = new NpgsqlCommand("""
            insert into processor_sim.cards (card_token, type, status, last4, expiry_month, expiry_year, cardholder_name, reference, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
            """, connection, tx))
        {
            insert.Parameters.AddWithValue(token);
            insert.Parameters.AddWithValue(request.Type!);
            insert.Parameters.AddWithValue(status);
            insert.Parameters.AddWithValue(pan[^4..]);
            insert.Parameters.AddWithValue(expiry.Month);
            insert.Parameters.AddWithValue(expiry.Year);
            insert.Parameters.AddWithValue(request.CardholderName!);
            insert.Parameters.AddWithValue((object?)request.Reference ?? DBNull.Value);
            insert.Parameters.AddWithValue(ctx.Now);
            await insert.ExecuteNonQueryAsync();
        }
        await InsertOperationAsync(isVirtual ? OperationKinds.CardActivate : OperationKinds.CardShip, null, token, null, null, ctx, connection, tx);
        // Pan and Cvv stay empty here: this object is what the idempotency table keeps.
        return WorkResult<IssuedCardResponse>.Done(new IssuedCardResponse(token, request.Type!, status, null, null, pan[^4..], expiry.Month, expiry.Year,
            request.CardholderName!, request.Reference, ctx.Now));
    }

    private static async Task<OperationResponse> InsertOperationAsync(string kind, string? authorizationId, string? cardToken, long? amount, string? currency,
        OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var id = "op_" + Guid.CreateVersion7(ctx.Now).ToString("N");
        await InsertOperationRowAsync(id, kind, authorizationId, cardToken, amount, currency, ctx.Now, ctx.Now.AddMilliseconds(ctx.Effective.WebhookDelayMs), connection, tx);
        return new OperationResponse(id, kind, "pending", authorizationId, amount, currency, null, ctx.Now, null);
    }

    private static async Task InsertOperationRowAsync(string id, string kind, string? authorizationId, string? cardToken, long? amount, string? currency,
        DateTimeOffset now, DateTimeOffset dueAt, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        await using var insert = new NpgsqlCommand("""
            insert into processor_sim.operations (operation_id, kind, authorization_id, card_token, amount, currency, status, due_at, created_at)
            values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)
            """, connection, tx);
        insert.Parameters.AddWithValue(id);
        insert.Parameters.AddWithValue(kind);
        insert.Parameters.AddWithValue((object?)authorizationId ?? DBNull.Value);
        insert.Parameters.AddWithValue((object?)cardToken ?? DBNull.Value);
        insert.Parameters.AddWithValue((object?)amount ?? DBNull.Value);
        insert.Parameters.AddWithValue((object?)currency ?? DBNull.Value);
        insert.Parameters.AddWithValue(dueAt);
        insert.Parameters.AddWithValue(now);
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Completes operations whose time has come and writes their webhooks, in one transaction. Rows are claimed with
    /// SKIP LOCKED, so each is completed by exactly one instance.
    /// </summary>
    public async Task<int> CompleteDueOperationsAsync(ProcessorSettings settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<(string Id, string Kind, string? AuthorizationId, string? CardToken, long? Amount, string? Currency, DateTimeOffset CreatedAt)>();
        await using (var select = new NpgsqlCommand("""
            select operation_id, kind, authorization_id, card_token, amount, currency, created_at from processor_sim.operations
            where status = 'pending' and due_at <= $1 order by due_at limit 50 for update skip locked
            """, connection, tx))
        {
            select.Parameters.AddWithValue(now);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
            }
        }
        foreach (var op in due)
        {
            var operation = op.Kind switch
            {
                OperationKinds.Capture => ProcessorOperations.Capture,
                OperationKinds.Refund => ProcessorOperations.Refund,
                OperationKinds.Void => ProcessorOperations.Void,
                _ => ProcessorOperations.IssueCard,
            };
            var effective = settings.For(operation);
            var random = settings.Seed is { } seed ? SimRandom.FromText($"{seed}|complete|{op.Id}") : SimRandom.Unseeded();
            var succeeded = random.NextDouble() < effective.ApprovalRate;
            string? reason = null;
            string eventType;
            JsonElement data;
            switch (op.Kind)
            {
                case OperationKinds.Capture:
                    if (succeeded)
                        await Execute(connection, tx, """
                            update processor_sim.authorizations set status = case when captured_amount >= approved_amount then 'captured' else 'partially_captured' end
                            where authorization_id = $1
                            """, op.AuthorizationId!);
                    else
                    {
                        reason = "capture_rejected";
                        await Execute(connection, tx, "update processor_sim.authorizations set captured_amount = captured_amount - $2 where authorization_id = $1", op.AuthorizationId!, op.Amount!.Value);
                    }
                    eventType = succeeded ? "capture.succeeded" : "capture.failed";
                    break;
                case OperationKinds.Refund:
                    if (!succeeded)
                    {
                        reason = "refund_rejected";
                        await Execute(connection, tx, "update processor_sim.authorizations set refunded_amount = refunded_amount - $2 where authorization_id = $1", op.AuthorizationId!, op.Amount!.Value);
                    }
                    eventType = succeeded ? "refund.succeeded" : "refund.failed";
                    break;
                case OperationKinds.Void:
                    await Execute(connection, tx, "update processor_sim.authorizations set status = $2 where authorization_id = $1", op.AuthorizationId!, succeeded ? "voided" : "approved");
                    if (!succeeded) reason = "void_rejected";
                    eventType = succeeded ? "void.succeeded" : "void.failed";
                    break;
                case OperationKinds.CardActivate:
                    succeeded = true;
                    eventType = "card.activated";
                    break;
                case OperationKinds.CardShip:
                    // Shipping itself always happens; delivery is where a physical card can fail.
                    succeeded = true;
                    await Execute(connection, tx, "update processor_sim.cards set status = 'shipped', updated_at = $2 where card_token = $1", op.CardToken!, now);
                    await InsertOperationRowAsync("op_" + Guid.CreateVersion7(now).ToString("N"), OperationKinds.CardDeliver, null, op.CardToken, null, null,
                        now, now.AddMilliseconds(effective.WebhookDelayMs), connection, tx);
                    eventType = "card.shipped";
                    break;
                default:
                    await Execute(connection, tx, "update processor_sim.cards set status = $2, updated_at = $3 where card_token = $1", op.CardToken!, succeeded ? "active" : "failed", now);
                    if (!succeeded) reason = "undeliverable";
                    eventType = succeeded ? "card.delivered" : "card.failed";
                    break;
            }
            await Execute(connection, tx, "update processor_sim.operations set status = $2, failure_reason = $3, completed_at = $4 where operation_id = $1",
                op.Id, succeeded ? "succeeded" : "failed", (object?)reason ?? DBNull.Value, now);
            if (op.CardToken is not null)
            {
                var card = await ReadCardAsync(op.CardToken, connection, tx, cancellationToken);
                data = JsonSerializer.SerializeToElement(card!, ProcessorJsonContext.Default.CardResponse);
            }
            else
            {
                data = JsonSerializer.SerializeToElement(new OperationResponse(op.Id, op.Kind, succeeded ? "succeeded" : "failed", op.AuthorizationId, op.Amount, op.Currency, reason, op.CreatedAt, now),
                    ProcessorJsonContext.Default.OperationResponse);
            }
            await InsertWebhookAsync(eventType, data, now, connection, tx);
        }
        await tx.CommitAsync(cancellationToken);
        return due.Count;
    }

    private static async Task InsertWebhookAsync(string eventType, JsonElement data, DateTimeOffset now, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var id = "evt_" + Guid.CreateVersion7(now).ToString("N");
        var envelope = new WebhookEnvelope(id, eventType, now, data);
        await Execute(connection, tx, """
            insert into processor_sim.webhooks (webhook_id, event_type, payload, status, next_attempt_at, created_at)
            values ($1, $2, $3::jsonb, 'pending', $4, $4)
            """, id, eventType, JsonSerializer.Serialize(envelope, ProcessorJsonContext.Default.WebhookEnvelope), now);
    }

    internal sealed record ClaimedWebhook(string WebhookId, string EventType, string Payload, int Attempt);

    /// <summary>Leases due webhooks to this instance for 30 s; another instance takes them over only after the lease lapses.</summary>
    public async Task<IReadOnlyList<ClaimedWebhook>> ClaimDueWebhooksAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            update processor_sim.webhooks set claimed_until = $2, attempts = attempts + 1
            where webhook_id in (
                select webhook_id from processor_sim.webhooks
                where status = 'pending' and next_attempt_at <= $1 and (claimed_until is null or claimed_until < $1)
                order by next_attempt_at limit 20 for update skip locked)
            returning webhook_id, event_type, payload::text, attempts
            """);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(now.AddSeconds(30));
        var claimed = new List<ClaimedWebhook>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            claimed.Add(new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        return claimed;
    }

    public async Task MarkDeliveredAsync(string webhookId, int statusCode, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update processor_sim.webhooks set status = 'delivered', delivered_at = $2, last_status_code = $3, last_error = null, claimed_until = null
            where webhook_id = $1
            """);
        command.Parameters.AddWithValue(webhookId);
        command.Parameters.AddWithValue(time.GetUtcNow());
        command.Parameters.AddWithValue(statusCode);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkFailedAsync(string webhookId, int? statusCode, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update processor_sim.webhooks set next_attempt_at = $2, last_status_code = $3, last_error = $4, claimed_until = null
            where webhook_id = $1
            """);
        command.Parameters.AddWithValue(webhookId);
        command.Parameters.AddWithValue(nextAttemptAt);
        command.Parameters.AddWithValue((object?)statusCode ?? DBNull.Value);
        command.Parameters.AddWithValue(error.Length > 500 ? error[..500] : error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<WebhookEndpointResponse?> GetWebhookEndpointAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select url, updated_at from processor_sim.webhook_endpoint where id = 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)) : null;
    }

    public async Task<WebhookEndpointResponse> SetWebhookEndpointAsync(string url, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, tx, """
            insert into processor_sim.webhook_endpoint (id, url, updated_at) values (1, $1, $2)
            on conflict (id) do update set url = excluded.url, updated_at = excluded.updated_at
            """, url, now);
        // Webhooks waiting out a backoff because nobody was listening go out now.
        await Execute(connection, tx, "update processor_sim.webhooks set next_attempt_at = $1 where status = 'pending' and next_attempt_at > $1", now);
        await tx.CommitAsync(cancellationToken);
        return new(url, now);
    }

    public async Task<WebhookRecord?> ReplayWebhookAsync(string webhookId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update processor_sim.webhooks set status = 'pending', next_attempt_at = $2, claimed_until = null, delivered_at = null
            where webhook_id = $1
            returning webhook_id, event_type, status, attempts, last_status_code, last_error, created_at, next_attempt_at, delivered_at, payload::text
            """);
        command.Parameters.AddWithValue(webhookId);
        command.Parameters.AddWithValue(time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadWebhook(reader) : null;
    }

    public async Task<IReadOnlyList<WebhookRecord>> ListWebhooksAsync(string? status, string? type, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select webhook_id, event_type, status, attempts, last_status_code, last_error, created_at, next_attempt_at, delivered_at, payload::text
            from processor_sim.webhooks where ($1::text is null or status = $1) and ($2::text is null or event_type = $2)
            order by created_at desc, webhook_id desc limit $3
            """);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)type ?? DBNull.Value);
        command.Parameters.AddWithValue(limit);
        var list = new List<WebhookRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add(ReadWebhook(reader));
        return list;
    }

    private static WebhookRecord ReadWebhook(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetString(5),
        r.GetFieldValue<DateTimeOffset>(6), r.GetFieldValue<DateTimeOffset>(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
        JsonDocument.Parse(r.GetString(9)).RootElement.Clone());

    private const string AuthorizationColumns = """
        authorization_id, card_token, amount, currency, merchant_name, merchant_mcc, merchant_country, approved, response_code,
        approved_amount, captured_amount, refunded_amount, status, created_at
        """;

    private const string OperationColumns = "operation_id, kind, status, authorization_id, amount, currency, failure_reason, created_at, completed_at";

    /// <summary>
    /// Newest first. <paramref name="startingAfter"/> (an authorization id from the previous page) continues the list
    /// after that record, as a processor's list API pages: stable while new records keep arriving at the top.
    /// </summary>
    public async Task<IReadOnlyList<AuthorizationRecord>> ListAuthorizationsAsync(DateTimeOffset? from, DateTimeOffset? to, string? cardToken, string? startingAfter,
        int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select {AuthorizationColumns} from processor_sim.authorizations
            where ($1::timestamptz is null or created_at >= $1) and ($2::timestamptz is null or created_at < $2) and ($3::text is null or card_token = $3)
              and ($5::text is null or (created_at, authorization_id) < (select created_at, authorization_id from processor_sim.authorizations where authorization_id = $5))
            order by created_at desc, authorization_id desc limit $4
            """);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)from ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)to ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)cardToken ?? DBNull.Value);
        command.Parameters.AddWithValue(limit);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)startingAfter ?? DBNull.Value);
        var list = new List<AuthorizationRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add(ReadAuthorization(reader, []));
        return list;
    }

    public async Task<AuthorizationRecord?> GetAuthorizationAsync(string id, CancellationToken cancellationToken)
    {
        var operations = new List<OperationResponse>();
        await using (var ops = dataSource.CreateCommand($"select {OperationColumns} from processor_sim.operations where authorization_id = $1 order by created_at"))
        {
            ops.Parameters.AddWithValue(id);
            await using var reader = await ops.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) operations.Add(ReadOperation(reader));
        }
        await using var command = dataSource.CreateCommand($"select {AuthorizationColumns} from processor_sim.authorizations where authorization_id = $1");
        command.Parameters.AddWithValue(id);
        await using var authReader = await command.ExecuteReaderAsync(cancellationToken);
        return await authReader.ReadAsync(cancellationToken) ? ReadAuthorization(authReader, operations) : null;
    }

    private static AuthorizationRecord ReadAuthorization(NpgsqlDataReader r, IReadOnlyList<OperationResponse> operations) => new(
        r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), new MerchantInfo(r.GetString(4), r.GetString(5), r.GetString(6)),
        r.GetBoolean(7), r.GetString(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), r.GetString(12), r.GetFieldValue<DateTimeOffset>(13), operations);

    public async Task<IReadOnlyList<OperationResponse>> ListOperationsAsync(string? kind, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select {OperationColumns} from processor_sim.operations
            where ($1::text is null or kind = $1) and ($2::text is null or status = $2) order by created_at desc, operation_id desc limit $3
            """);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)kind ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue(limit);
        var list = new List<OperationResponse>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add(ReadOperation(reader));
        return list;
    }

    public async Task<OperationResponse?> GetOperationAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select {OperationColumns} from processor_sim.operations where operation_id = $1");
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOperation(reader) : null;
    }

    private static OperationResponse ReadOperation(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetInt64(4),
        r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
        r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8));

    private const string CardColumns = "card_token, type, status, last4, expiry_month, expiry_year, reference, created_at, updated_at";

    public async Task<IReadOnlyList<CardResponse>> ListCardsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select {CardColumns} from processor_sim.cards order by created_at desc limit $1");
        command.Parameters.AddWithValue(limit);
        var list = new List<CardResponse>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add(ReadCard(reader));
        return list;
    }

    public async Task<CardResponse?> GetCardAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadCardAsync(token, connection, null, cancellationToken);
    }

    private static async Task<CardResponse?> ReadCardAsync(string token, NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select {CardColumns} from processor_sim.cards where card_token = $1", connection, tx);
        command.Parameters.AddWithValue(token);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadCard(reader) : null;
    }

    private static CardResponse ReadCard(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.IsDBNull(6) ? null : r.GetString(6),
        r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateTimeOffset>(8));

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var p in parameters) command.Parameters.AddWithValue(p);
        await command.ExecuteNonQueryAsync();
    }
}
