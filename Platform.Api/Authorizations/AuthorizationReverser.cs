using System.Text.Json;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Integrations.Processor;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>
/// Settles an authorization the platform declined because the processor did not answer in time. The authorize call
/// is sent again with its original idempotency key: the processor answers what it decided (or, if the first call
/// never arrived, decides now). If that is an approval, it is voided, so the processor never keeps an authorization
/// the platform has no hold for.
/// </summary>
internal sealed class AuthorizationReverser(NpgsqlDataSource dataSource, ProcessorOperationsClient processor, IAuditTrail audit, TimeProvider time) : IOutboxHandler
{
    public string Kind => AuthorizationService.ReversalOutboxKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var request = message.Payload.Deserialize(ProcessorJsonContext.Default.ProcessorAuthorizeRequest)
            ?? throw new InvalidOperationException("Reversal message without its authorize request.");
        var authorizationId = message.SubjectId;

        var repeated = await processor.RepeatAuthorizeAsync(request, authorizationId.ToString(), cancellationToken);
        if (repeated is ProcessorCallResult<ProcessorAuthorization>.Transient t) return OutboxResult.Retry(t.Cause);
        if (repeated is ProcessorCallResult<ProcessorAuthorization>.Refused r)
        {
            // The processor refuses the request itself (e.g. validation): nothing was authorized, nothing to reverse.
            await RecordAsync(authorizationId, null, null, $"processor refused the repeat ({r.StatusCode})", cancellationToken);
            return OutboxResult.Done;
        }
        var answer = ((ProcessorCallResult<ProcessorAuthorization>.Accepted)repeated).Body;
        if (!answer.Approved)
        {
            await RecordAsync(authorizationId, answer.AuthorizationId, null, "processor declined it; nothing to reverse", cancellationToken);
            return OutboxResult.Done;
        }

        var reversalId = DeterministicReversalId(authorizationId);
        var voided = await processor.VoidAsync(answer.AuthorizationId, reversalId.ToString(), cancellationToken);
        switch (voided)
        {
            case ProcessorCallResult<ProcessorOperation>.Accepted accepted:
                await RecordAsync(authorizationId, answer.AuthorizationId, (reversalId, accepted.Body.OperationId, answer.ApprovedAmount, answer.Currency),
                    "late approval reversed", cancellationToken);
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorOperation>.Refused refused when refused.StatusCode == StatusCodes.Status409Conflict:
                // Already voided (by an earlier attempt of this very message whose answer was lost).
                await RecordAsync(authorizationId, answer.AuthorizationId, null, "already voided at the processor", cancellationToken);
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorOperation>.Refused refused:
                return OutboxResult.Retry($"void refused ({refused.StatusCode}): {refused.Detail}");
            case ProcessorCallResult<ProcessorOperation>.Transient transient:
                return OutboxResult.Retry(transient.Cause);
            default:
                return OutboxResult.Retry("unexpected result");
        }
    }

    /// <summary>The same reversal id on every attempt, so its void carries the same idempotency key each time.</summary>
    private static Guid DeterministicReversalId(Guid authorizationId)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("reversal:" + authorizationId));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16));
    }

    private async Task RecordAsync(Guid authorizationId, string? processorAuthorizationId, (Guid Id, string ProcessorOperationId, long Amount, string Currency)? reversal,
        string outcome, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, tx, """
            update core.authorizations set processor_authorization_id = coalesce(processor_authorization_id, $2) where authorization_id = $1
            """, cancellationToken, authorizationId, processorAuthorizationId);
        Guid? accountId = null;
        if (reversal is { } rv)
        {
            await using var insert = Sql.Command(connection, tx, """
                insert into core.card_operations (operation_id, authorization_id, account_id, kind, amount, currency, status, processor_operation_id, created_at, submitted_at)
                select $1, authorization_id, account_id, 'reversal', $2, $3, 'submitted', $4, $5, $5 from core.authorizations where authorization_id = $6
                on conflict (operation_id) do nothing
                returning account_id
                """, rv.Id, rv.Amount, rv.Currency, rv.ProcessorOperationId, time.GetUtcNow(), authorizationId);
            accountId = await insert.ExecuteScalarAsync(cancellationToken) as Guid?;
        }
        await audit.AppendAsync(FinancialAudit.Entry("authorization.reversal", FinancialAudit.Worker, null, "authorization", authorizationId,
            new Dictionary<string, object?> { ["processorAuthorizationId"] = processorAuthorizationId, ["outcome"] = outcome, ["reversalOperationId"] = reversal?.Id, ["accountId"] = accountId }),
            tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
