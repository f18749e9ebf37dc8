using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>
/// Releases credit nobody will use: approved holds past their expiry (voided at the processor when nothing was
/// captured), and authorizations left pending by an instance that stopped mid-flight (declined, with a reversal in
/// case the processor approved them). Rows are taken with SKIP LOCKED, so instances share the work without overlap.
/// </summary>
internal sealed partial class HoldSweeper(
    NpgsqlDataSource dataSource, AuthorizationStore store, AuthorizationRecorder recorder, OutboxStore outbox, IOptions<AuthorizationOptions> options,
    TimeProvider time, ILogger<HoldSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs), time);
        await new WorkerLoop(logger, "Hold sweep", time).RunAsync(
            token => BackgroundTelemetry.UntracedAsync(async () =>
            {
                while (await ExpireHoldsAsync(token) > 0) { }
                while (await DeclineAbandonedAsync(token) > 0) { }
            }),
            async token => await timer.WaitForNextTickAsync(token),
            stoppingToken);
    }

    public async Task<int> ExpireHoldsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var expired = 0;
        foreach (var hold in await store.LockExpiredHoldsAsync(tx, time.GetUtcNow(), cancellationToken))
        {
            if (await recorder.ExpireAsync(tx, hold, cancellationToken)) expired++;
        }
        await tx.CommitAsync(cancellationToken);
        if (expired > 0) outbox.Wake();
        return expired;
    }

    public async Task<int> DeclineAbandonedAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddSeconds(-options.Value.AbandonedAfterSeconds);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var abandoned = await store.LockAbandonedAsync(tx, cutoff, cancellationToken);
        // Recorded like any decline: a caller retrying with its key gets this decline, not a second authorization.
        foreach (var authorization in abandoned)
            await recorder.DeclineAsync(tx, authorization, AuthorizationDecision.Abandoned, FinancialAudit.Worker, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (abandoned.Count > 0) outbox.Wake();
        return abandoned.Count;
    }
}
