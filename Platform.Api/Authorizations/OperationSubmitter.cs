using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Integrations.Processor;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>
/// Takes a recorded capture, void, refund or reversal to the processor. The operation's id is the idempotency key, so
/// a retry after a lost answer is recognised by the processor instead of moving money twice.
/// </summary>
internal sealed class OperationSubmitter(NpgsqlDataSource dataSource, ProcessorOperationsClient processor, IAuditTrail audit, TimeProvider time) : IOutboxHandler
{
    public string Kind => CardOperations.SubmitOutboxKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        string kind, status;
        long amount;
        string? processorAuthorizationId;
        Guid authorizationId;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var command = Sql.Command(connection, null, """
            select o.kind, o.status, o.amount, a.processor_authorization_id, o.authorization_id
            from core.card_operations o join core.authorizations a on a.authorization_id = o.authorization_id where o.operation_id = $1
            """, message.SubjectId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return OutboxResult.Done;
            (kind, status, amount, processorAuthorizationId, authorizationId) =
                (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetGuid(4));
        }
        if (status != "requested") return OutboxResult.Done;
        if (processorAuthorizationId is null) return await FailAsync(message.SubjectId, authorizationId, kind, "The processor never recorded this authorization.", cancellationToken);

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
            case ProcessorCallResult<ProcessorOperation>.Refused refused:
                return await FailAsync(message.SubjectId, authorizationId, kind, $"Processor refused ({refused.StatusCode}): {refused.Detail}", cancellationToken);
            case ProcessorCallResult<ProcessorOperation>.Transient transient:
                return OutboxResult.Retry(transient.Cause);
            default:
                return OutboxResult.Retry("unexpected result");
        }
    }

    /// <summary>A refused operation moved no money: it is marked failed and, for a capture, its amount becomes capturable again.</summary>
    private async Task<OutboxResult> FailAsync(Guid operationId, Guid authorizationId, string kind, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await Sql.ExecuteAsync(connection, tx, """
            update core.card_operations set status = 'failed', failure_reason = $2, completed_at = $3 where operation_id = $1 and status = 'requested'
            """, cancellationToken, operationId, reason.Length > 500 ? reason[..500] : reason, time.GetUtcNow());
        if (changed == 1)
        {
            await audit.AppendAsync(FinancialAudit.Entry($"{kind}.failed", FinancialAudit.Worker, null, "authorization", authorizationId,
                new Dictionary<string, object?> { ["operationId"] = operationId, ["reason"] = reason }, AuditOutcome.Failure), tx, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return OutboxResult.Done;
    }
}
