using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Processor;

/// <summary>
/// Completes operations whose time has come: settles the authorization or card they act on and queues the webhook that
/// reports it, in one transaction per batch. Rows are claimed with SKIP LOCKED, so each is completed by exactly one instance.
/// </summary>
internal sealed class OperationCompleter(NpgsqlDataSource dataSource, TimeProvider time)
{
    private sealed record Completion(bool Succeeded, string? Reason, string EventType);

    /// <summary>The number of operations completed (0: nothing was due).</summary>
    public async Task<int> CompleteDueAsync(ProcessorSettings settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var due = await OperationQueue.ClaimDueAsync(now, connection, tx, cancellationToken);
        foreach (var op in due)
        {
            var effective = settings.For(OperationKinds.SettingsOperation(op.Kind));
            var random = settings.Seed is { } seed ? SimRandom.FromText($"{seed}|complete|{op.OperationId}") : SimRandom.Unseeded();
            var succeeded = random.NextDouble() < effective.ApprovalRate;
            var completion = await ApplyAsync(op, succeeded, effective, now, connection, tx, cancellationToken);
            await OperationQueue.CompleteAsync(op.OperationId, completion.Succeeded, completion.Reason, now, connection, tx, cancellationToken);
            JsonElement data;
            if (op.CardToken is not null)
            {
                var card = await ProcessorQueries.ReadCardAsync(op.CardToken, connection, tx, cancellationToken);
                data = JsonSerializer.SerializeToElement(card!, ProcessorJsonContext.Default.CardResponse);
            }
            else
            {
                data = JsonSerializer.SerializeToElement(new OperationResponse(op.OperationId, op.Kind, completion.Succeeded ? "succeeded" : "failed", op.AuthorizationId,
                    op.Amount, op.Currency, completion.Reason, op.CreatedAt, now), ProcessorJsonContext.Default.OperationResponse);
            }
            await WebhookOutbox.EnqueueAsync(completion.EventType, data, now, connection, tx, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return due.Count;
    }

    /// <summary>What completing one operation does to the authorization or card it acts on.</summary>
    private static async Task<Completion> ApplyAsync(OperationQueue.DueOperation op, bool succeeded, EffectiveOperationSettings effective, DateTimeOffset now,
        NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        Task Execute(string sql, object parameters) => connection.ExecuteAsync(new CommandDefinition(sql, parameters, tx, cancellationToken: cancellationToken));
        var authorizationId = op.AuthorizationId;
        switch (op.Kind)
        {
            case OperationKinds.Capture:
                if (succeeded)
                    await Execute("""
                        update processor_sim.authorizations set status = case when captured_amount >= approved_amount then 'captured' else 'partially_captured' end
                        where authorization_id = @authorizationId
                        """, new { authorizationId });
                else
                    await Execute("update processor_sim.authorizations set captured_amount = captured_amount - @amount where authorization_id = @authorizationId",
                        new { authorizationId, amount = op.Amount!.Value });
                return new(succeeded, succeeded ? null : "capture_rejected", succeeded ? "capture.succeeded" : "capture.failed");
            case OperationKinds.Refund:
                if (!succeeded)
                    await Execute("update processor_sim.authorizations set refunded_amount = refunded_amount - @amount where authorization_id = @authorizationId",
                        new { authorizationId, amount = op.Amount!.Value });
                return new(succeeded, succeeded ? null : "refund_rejected", succeeded ? "refund.succeeded" : "refund.failed");
            case OperationKinds.Void:
                await Execute("update processor_sim.authorizations set status = @status where authorization_id = @authorizationId",
                    new { authorizationId, status = succeeded ? "voided" : "approved" });
                return new(succeeded, succeeded ? null : "void_rejected", succeeded ? "void.succeeded" : "void.failed");
            case OperationKinds.CardActivate:
                return new(true, null, "card.activated");
            case OperationKinds.CardShip:
                // Shipping itself always happens; delivery is where a physical card can fail.
                await Execute("update processor_sim.cards set status = 'shipped', updated_at = @now where card_token = @cardToken", new { cardToken = op.CardToken!, now });
                await ProcessorStore.InsertOperationRowAsync("op_" + Guid.CreateVersion7(now).ToString("N"), OperationKinds.CardDeliver, null, op.CardToken, null, null,
                    now, now.AddMilliseconds(effective.WebhookDelayMs), connection, tx, cancellationToken);
                return new(true, null, "card.shipped");
            default:
                await Execute("update processor_sim.cards set status = @status, updated_at = @now where card_token = @cardToken",
                    new { cardToken = op.CardToken!, status = succeeded ? "active" : "failed", now });
                return new(succeeded, succeeded ? null : "undeliverable", succeeded ? "card.delivered" : "card.failed");
        }
    }
}

/// <summary>Completes accepted operations when their delay is up, on every instance (rows are claimed, never shared).</summary>
internal sealed class OperationCompleterWorker(
    OperationCompleter completer, RedisSimulatorSettingsStore settings, ProcessorWork work, IOptions<ProcessorOptions> options, ILogger<OperationCompleterWorker> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Processor operation completer");
        return loop.RunAsync(token => BackgroundTelemetry.UntracedAsync(async () =>
            {
                var current = (await settings.GetCurrentAsync()).Processor;
                while (await completer.CompleteDueAsync(current, token) > 0) work.WebhooksQueued.Wake();
            }),
            token => work.OperationsAccepted.WaitAsync(TimeSpan.FromMilliseconds(options.Value.WorkerPollMs), token), stoppingToken);
    }
}
