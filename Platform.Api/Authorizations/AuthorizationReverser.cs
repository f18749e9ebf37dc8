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
/// never arrived, decides now). If that is an approval, a reversal is started (<see cref="Reversals"/>), which voids it
/// and stays open until the processor confirms the void, so the processor never keeps an authorization the platform has
/// no hold for.
/// </summary>
internal sealed class AuthorizationReverser(NpgsqlDataSource dataSource, ProcessorOperationsClient processor, Reversals reversals, IAuditTrail audit) : IOutboxHandler
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

        await RecordAsync(authorizationId, answer.AuthorizationId, (answer.ApprovedAmount, answer.Currency), "late approval found; void requested", cancellationToken);
        return OutboxResult.Done;
    }

    private async Task RecordAsync(Guid authorizationId, string? processorAuthorizationId, (long Amount, string Currency)? lateApproval, string outcome,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        Guid? accountId;
        await using (var command = Sql.Command(connection, tx, """
            update core.authorizations set processor_authorization_id = coalesce(processor_authorization_id, $2) where authorization_id = $1 returning account_id
            """, authorizationId, processorAuthorizationId))
        {
            accountId = await command.ExecuteScalarAsync(cancellationToken) as Guid?;
        }
        Guid? reversalId = null;
        if (lateApproval is { } late && accountId is { } account)
        {
            // A re-run of this message (its completion lost) finds the reversal started and records nothing twice.
            if (!await reversals.StartAsync(tx, authorizationId, account, late.Amount, late.Currency, cancellationToken))
            {
                await tx.RollbackAsync(cancellationToken);
                return;
            }
            reversalId = Reversals.AttemptId(authorizationId, 1);
        }
        await audit.AppendAsync(FinancialAudit.Entry("authorization.reversal", FinancialAudit.Worker, null, "authorization", authorizationId,
            new Dictionary<string, object?> { ["processorAuthorizationId"] = processorAuthorizationId, ["outcome"] = outcome, ["reversalOperationId"] = reversalId, ["accountId"] = accountId }),
            tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (reversalId is not null) reversals.Wake();
    }
}
