using Microsoft.Extensions.Options;
using Platform.Api.Audit;

namespace Platform.Api.Statements;

/// <summary>Runs a cycle pass at start and then every <see cref="StatementOptions.CycleIntervalSeconds"/>, on every instance.</summary>
internal sealed partial class StatementCycleWorker(StatementCycle cycle, IOptions<StatementOptions> options, TimeProvider time, ILogger<StatementCycleWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CycleIntervalSeconds), time);
        await new WorkerLoop(logger, "Statement cycle", time).RunAsync(
            token => BackgroundTelemetry.UntracedAsync(() => cycle.RunAsync(FinancialAudit.Worker, null, token)),
            async token => await timer.WaitForNextTickAsync(token),
            stoppingToken);
    }

}
