using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Processor;

/// <summary>
/// processor-sim's writes for captures, refunds, voids and card issues in the <c>processor_sim</c> schema, inside the
/// transaction the idempotency key holds: the processor's side of a reconciliation. Cards are kept by token and last
/// four digits only. (Authorizations are written in batches by <see cref="AuthorizationWriter"/>.)
/// </summary>
internal sealed class ProcessorStore(IOptions<ProcessorOptions> options)
{
    private sealed record LockedAuthorization(bool Approved, long ApprovedAmount, long CapturedAmount, long RefundedAmount, string Status, string Currency);

    private static Task<LockedAuthorization?> LockAuthorizationAsync(string id, NpgsqlConnection connection, NpgsqlTransaction tx) =>
        connection.QuerySingleOrDefaultAsync<LockedAuthorization>(new CommandDefinition("""
            select approved, approved_amount, captured_amount, refunded_amount, status, currency
            from processor_sim.authorizations where authorization_id = @id for update
            """, new { id }, tx));

    private static WorkResult<OperationResponse> NotFound(string id) =>
        WorkResult<OperationResponse>.Refused(StatusCodes.Status404NotFound, "Authorization not found", $"No authorization {id}.");

    public async Task<WorkResult<OperationResponse>> CaptureAsync(string authorizationId, long? requested, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var auth = await LockAuthorizationAsync(authorizationId, connection, tx);
        if (auth is null) return NotFound(authorizationId);
        if (!auth.Approved) return WorkResult<OperationResponse>.Refused(409, "Authorization was declined", "A declined authorization cannot be captured.");
        if (auth.Status is "voided" or "voiding") return WorkResult<OperationResponse>.Refused(409, "Authorization is voided", "A voided authorization cannot be captured.");
        var remaining = auth.ApprovedAmount - auth.CapturedAmount;
        if (remaining <= 0) return WorkResult<OperationResponse>.Refused(409, "Nothing left to capture", "The approved amount has been captured in full.");
        var amount = requested ?? remaining;
        if (amount > remaining)
            return WorkResult<OperationResponse>.Refused(422, "Capture exceeds the approved amount", $"amount: at most {remaining} minor units remain capturable.");
        await connection.ExecuteAsync(new CommandDefinition(
            "update processor_sim.authorizations set captured_amount = captured_amount + @amount where authorization_id = @authorizationId",
            new { authorizationId, amount }, tx));
        return WorkResult<OperationResponse>.Done(await InsertOperationAsync(OperationKinds.Capture, authorizationId, null, amount, auth.Currency, ctx, connection, tx));
    }

    public async Task<WorkResult<OperationResponse>> RefundAsync(string authorizationId, long? requested, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var auth = await LockAuthorizationAsync(authorizationId, connection, tx);
        if (auth is null) return NotFound(authorizationId);
        var refundable = auth.CapturedAmount - auth.RefundedAmount;
        if (refundable <= 0) return WorkResult<OperationResponse>.Refused(409, "Nothing to refund", "Nothing captured on this authorization remains unrefunded.");
        var amount = requested ?? refundable;
        if (amount > refundable)
            return WorkResult<OperationResponse>.Refused(422, "Refund exceeds the captured amount", $"amount: at most {refundable} minor units remain refundable.");
        await connection.ExecuteAsync(new CommandDefinition(
            "update processor_sim.authorizations set refunded_amount = refunded_amount + @amount where authorization_id = @authorizationId",
            new { authorizationId, amount }, tx));
        return WorkResult<OperationResponse>.Done(await InsertOperationAsync(OperationKinds.Refund, authorizationId, null, amount, auth.Currency, ctx, connection, tx));
    }

    public async Task<WorkResult<OperationResponse>> VoidAsync(string authorizationId, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var auth = await LockAuthorizationAsync(authorizationId, connection, tx);
        if (auth is null) return NotFound(authorizationId);
        if (!auth.Approved) return WorkResult<OperationResponse>.Refused(409, "Authorization was declined", "There is no hold to release on a declined authorization.");
        if (auth.Status is "voided" or "voiding") return WorkResult<OperationResponse>.Refused(409, "Already voided", "This authorization is already voided or being voided.");
        if (auth.CapturedAmount > 0) return WorkResult<OperationResponse>.Refused(409, "Authorization has captures", "A captured authorization cannot be voided; refund it instead.");
        await connection.ExecuteAsync(new CommandDefinition(
            "update processor_sim.authorizations set status = 'voiding' where authorization_id = @authorizationId", new { authorizationId }, tx));
        return WorkResult<OperationResponse>.Done(await InsertOperationAsync(OperationKinds.Void, authorizationId, null, auth.ApprovedAmount, auth.Currency, ctx, connection, tx));
    }

    public async Task<WorkResult<IssuedCardResponse>> IssueCardAsync(IssueCardRequest request, OperationContext ctx, NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var token = "card_" + Guid.CreateVersion7(ctx.Now).ToString("N");
        var (pan, _) = CardNumbers.Derive(token, options.Value.WebhookSecret);
        var expiry = ctx.Now.AddYears(3);
        var isVirtual = request.Type == "virtual";
        var status = isVirtual ? "active" : "pending";
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into processor_sim.cards (card_token, type, status, last4, expiry_month, expiry_year, cardholder_name, reference, created_at, updated_at)
            values (@token, @type, @status, @last4, @expiryMonth, @expiryYear, @cardholderName, @reference, @now, @now)
            """, new
        {
            token, type = request.Type!, status, last4 = pan[^4..], expiryMonth = expiry.Month, expiryYear = expiry.Year,
            cardholderName = request.CardholderName!, reference = request.Reference, now = ctx.Now,
        }, tx));
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

    /// <summary>Queues an operation for the completer (also used by the completer: a shipped card's delivery is one).</summary>
    internal static Task InsertOperationRowAsync(string id, string kind, string? authorizationId, string? cardToken, long? amount, string? currency,
        DateTimeOffset now, DateTimeOffset dueAt, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken = default) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into processor_sim.operations (operation_id, kind, authorization_id, card_token, amount, currency, status, due_at, created_at)
            values (@id, @kind, @authorizationId, @cardToken, @amount, @currency, 'pending', @dueAt, @now)
            """, new { id, kind, authorizationId, cardToken, amount, currency, dueAt, now }, tx, cancellationToken: cancellationToken));
}
