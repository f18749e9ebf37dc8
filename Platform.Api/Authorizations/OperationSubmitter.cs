using Dapper;
using Npgsql;
using Platform.Api.Audit;
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
        OperationRow? row;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            row = await connection.QuerySingleOrDefaultAsync<OperationRow>(new CommandDefinition("""
                select o.kind, o.status, o.amount, a.processor_authorization_id, o.authorization_id, o.account_id, o.currency
                from core.card_operations o join core.authorizations a on a.authorization_id = o.authorization_id where o.operation_id = @operationId
                """, new { operationId = message.SubjectId }, cancellationToken: cancellationToken));
        }
        if (row is null || row.Status != OperationStatus.Requested) return OutboxResult.Done;
        var (kind, amount, processorAuthorizationId) = (row.Kind, row.Amount, row.ProcessorAuthorizationId);
        var operation = new SubmittedOperation(message.SubjectId, row.AuthorizationId, row.AccountId, kind, amount, row.Currency);
        if (processorAuthorizationId is null) return await FailAsync(operation, "The processor never recorded this authorization.", cancellationToken);

        var key = message.SubjectId.ToString();
        var result = kind switch
        {
            OperationKind.Capture => await processor.CaptureAsync(processorAuthorizationId, amount, key, cancellationToken),
            OperationKind.Refund => await processor.RefundAsync(processorAuthorizationId, amount, key, cancellationToken),
            _ => await processor.VoidAsync(processorAuthorizationId, key, cancellationToken),
        };
        switch (result)
        {
            case ProcessorCallResult<ProcessorOperation>.Accepted accepted:
                await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
                {
                    await connection.ExecuteAsync(new CommandDefinition("""
                        update core.card_operations set status = 'submitted', processor_operation_id = @processorOperationId, submitted_at = @now
                        where operation_id = @operationId and status = 'requested'
                        """, new { operationId = message.SubjectId, processorOperationId = accepted.Body.OperationId, now = time.GetUtcNow() },
                        cancellationToken: cancellationToken));
                }
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorOperation>.Refused refused when kind == OperationKind.Reversal:
                return await ReversalRefusedAsync(operation, processorAuthorizationId, refused, cancellationToken);
            case ProcessorCallResult<ProcessorOperation>.Refused refused:
                return await FailAsync(operation, $"Processor refused ({refused.StatusCode}): {refused.Detail}", cancellationToken);
            case ProcessorCallResult<ProcessorOperation>.Transient transient:
                return OutboxResult.Retry(transient.Cause);
            default:
                return OutboxResult.Retry("unexpected result");
        }
    }

    private sealed record OperationRow(OperationKind Kind, OperationStatus Status, long Amount, string? ProcessorAuthorizationId, Guid AuthorizationId,
        Guid AccountId, string Currency);

    private sealed record SubmittedOperation(Guid Id, Guid AuthorizationId, Guid AccountId, OperationKind Kind, long Amount, string Currency);

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
            case ProcessorAuthorizationStatus.Voiding:
                return OutboxResult.Retry("void refused while another void is completing at the processor");
            case ProcessorAuthorizationStatus.Voided:
                await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
                await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
                {
                    if (await connection.ExecuteAsync(new CommandDefinition("""
                            update core.card_operations set status = 'succeeded', completed_at = @now where operation_id = @operationId and status = 'requested'
                            """, new { operationId = operation.Id, now = time.GetUtcNow() }, tx, cancellationToken: cancellationToken)) == 1)
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
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            update core.card_operations set status = 'failed', failure_reason = @failureReason, completed_at = @now where operation_id = @operationId and status = 'requested'
            """, new { operationId = operation.Id, failureReason = reason.Length > 500 ? reason[..500] : reason, now = time.GetUtcNow() }, tx,
            cancellationToken: cancellationToken));
        if (changed == 1)
        {
            var parked = operation.Kind == OperationKind.Reversal
                ? await reversals.AttemptFailedAsync(tx, operation.AuthorizationId, operation.AccountId, operation.Amount, operation.Currency, reason, cancellationToken)
                : null;
            await audit.AppendAsync(FinancialAudit.Entry($"{operation.Kind.Db()}.failed", FinancialAudit.Worker, null, "authorization", operation.AuthorizationId,
                new Dictionary<string, object?> { ["operationId"] = operation.Id, ["reason"] = reason }, AuditOutcome.Failure), tx, cancellationToken);
            if (parked is not null) await audit.AppendAsync(parked, tx, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return OutboxResult.Done;
    }
}
