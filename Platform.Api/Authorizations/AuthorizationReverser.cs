using System.Text.Json;
using Npgsql;
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
internal sealed class AuthorizationReverser(NpgsqlDataSource dataSource, ProcessorOperationsClient processor, AuthorizationRecorder recorder) : IOutboxHandler
{
    public string Kind => AuthorizationRecorder.ReversalOutboxKind;

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

    private Task RecordAsync(Guid authorizationId, string? processorAuthorizationId, (long Amount, string Currency)? lateApproval, string outcome,
        CancellationToken cancellationToken) =>
        recorder.RecordReversalCheckAsync(dataSource, authorizationId, processorAuthorizationId, lateApproval, outcome, cancellationToken);
}
