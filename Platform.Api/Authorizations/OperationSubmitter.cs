using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Integrations.Processor;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>
/// Takes a recorded capture, void, refund or reversal to the processor. The operation's id is the idempotency key, so
/// a retry after a lost answer is recognised by the processor instead of moving money twice. A refused reversal is not
/// the end of it: unless the processor already has the authorization voided, the next attempt is queued (<see cref="Reversals"/>).
/// </summary>
internal sealed class OperationSubmitter(NpgsqlDataSource dataSource, ProcessorOperationsClient processor, Reversals reversals, IAuditTrail audit, TimeProvider time)
    : IOutboxHandler
{
    public string Kind => CardOperations.SubmitOutboxKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        string kind, status, currency;
        long amount;
        Guid accountId;
        string? processorAuthorizationId;
        Guid authorizationId;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var command = Sql.Command(connection, null, """
            select o.kind, o.status, o.amount, a.processor_authorization_id, o.authorization_id, o.account_id, o.currency
            from core.card_operations o join core.authorizations a on a.authorization_id = o.authorization_id where o.operation_id = $1
            """, message.SubjectId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return OutboxResult.Done;
            (kind, status, amount, processorAuthorizationId, authorizationId, accountId, currency) =
                (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetGuid(4), reader.GetGuid(5), reader.GetString(6));
        }
        if (status != "requested") return OutboxResult.Done;
        var operation = new SubmittedOperation(message.SubjectId, authorizationId, accountId, kind, amount, currency);
        if (processorAuthorizationId is null) return await FailAsync(operation, "The processor never recorded this authorization.", cancellationToken);

        var key = message.SubjectId.ToString();
        var result = kind switch
        {
            "capture" => await processor.CaptureAsync(processorAuthorizationId, amount, key, cancellationToken),
            "refund" => await processor.RefundAsync(processorAuthorizationId, amount, key, cancellationToken),
            _ => await processor.VoidAsync(processorAuthorizationId, key, cancellationToken),
        };
        switch (result)
        {
            case ProcessorCallResult<ProcessorOperation>.Accepted accepted:
                await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
                {
                    await Sql.ExecuteAsync(connection, null, """
                        update core.card_operations set status = 'submitted', processor_operation_id = $2, submitted_at = $3
                        where operation_id = $1 and status = 'requested'
                        """, cancellationToken, message.SubjectId, accepted.Body.OperationId, time.GetUtcNow());
                }
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorOperation>.Refused refused when kind == "reversal":
                return await ReversalRefusedAsync(operation, processorAuthorizationId, refused, cancellationToken);
            case ProcessorCallResult<ProcessorOperation>.Refused refused:
                return await FailAsync(operation, $"Processor refused ({refused.StatusCode}): {refused.Detail}", cancellationToken);
            case ProcessorCallResult<ProcessorOperation>.Transient transient:
                return OutboxResult.Retry(transient.Cause);
            default:
                return OutboxResult.Retry("unexpected result");
        }
    }

    private sealed record SubmittedOperation(Guid Id, Guid AuthorizationId, Guid AccountId, string Kind, long Amount, string Currency);

    /// <summary>
    /// The processor would not void. If it already has the authorization voided (an attempt whose answer we lost), the
    /// reversal is done; if a void is still on its way there, look again later; otherwise this attempt failed.
    /// </summary>
    private async Task<OutboxResult> ReversalRefusedAsync(SubmittedOperation operation, string processorAuthorizationId, ProcessorCallResult<ProcessorOperation>.Refused refused,
        CancellationToken cancellationToken)
    {
        ProcessorAuthorizationRecord? record;
        try
        {
            record = await processor.GetAuthorizationAsync(processorAuthorizationId, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException or System.Text.Json.JsonException)
        {
            return OutboxResult.Retry("void refused; the processor's record could not be read: " + ex.Message);
        }
        switch (record?.Status)
        {
            case "voiding":
                return OutboxResult.Retry("void refused while another void is completing at the processor");
            case "voided":
                await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
                await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
                {
                    if (await Sql.ExecuteAsync(connection, tx, """
                            update core.card_operations set status = 'succeeded', completed_at = $2 where operation_id = $1 and status = 'requested'
                            """, cancellationToken, operation.Id, time.GetUtcNow()) == 1)
                    {
                        await audit.AppendAsync(FinancialAudit.Entry("authorization.reversed", FinancialAudit.Worker, null, "authorization", operation.AuthorizationId,
                            new Dictionary<string, object?> { ["operationId"] = operation.Id, ["outcome"] = "already voided at the processor" }), tx, cancellationToken);
                    }
                    await tx.CommitAsync(cancellationToken);
                }
                return OutboxResult.Done;
            default:
                return await FailAsync(operation, $"Processor refused ({refused.StatusCode}): {refused.Detail}", cancellationToken);
        }
    }

    /// <summary>
    /// A refused operation moved no money: it is marked failed and, for a capture, its amount becomes capturable again;
    /// for a reversal the next attempt is queued in the same transaction.
    /// </summary>
    private async Task<OutboxResult> FailAsync(SubmittedOperation operation, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await Sql.ExecuteAsync(connection, tx, """
            update core.card_operations set status = 'failed', failure_reason = $2, completed_at = $3 where operation_id = $1 and status = 'requested'
            """, cancellationToken, operation.Id, reason.Length > 500 ? reason[..500] : reason, time.GetUtcNow());
        if (changed == 1)
        {
            var parked = operation.Kind == "reversal"
                ? await reversals.AttemptFailedAsync(tx, operation.AuthorizationId, operation.AccountId, operation.Amount, operation.Currency, reason, cancellationToken)
                : null;
            await audit.AppendAsync(FinancialAudit.Entry($"{operation.Kind}.failed", FinancialAudit.Worker, null, "authorization", operation.AuthorizationId,
                new Dictionary<string, object?> { ["operationId"] = operation.Id, ["reason"] = reason }, AuditOutcome.Failure), tx, cancellationToken);
            if (parked is not null) await audit.AppendAsync(parked, tx, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return OutboxResult.Done;
    }
}
