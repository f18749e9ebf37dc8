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
        do
        {
            try
            {
                await BackgroundTelemetry.UntracedAsync(() => cycle.RunAsync(FinancialAudit.Worker, null, stoppingToken));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // An unhandled exception would stop the host; the database being away for a moment must not.
                LogPassFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Statement cycle pass failed; retrying at the next interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
