using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Platform.Api.Authorizations;

/// <summary>
/// Makes reversals that ran out of attempts visible without anyone asking: the gauge
/// <c>platform.api.reversals.needs_attention</c> (meter <c>Platform.Api</c>, on the dashboard's metrics page) and the
/// <c>reversals</c> entry of <c>/health</c>, Degraded while any waits for an operator. Counted every sweep interval.
/// </summary>
internal sealed class ReversalMonitor : BackgroundService, IHealthCheck
{
    private readonly NpgsqlDataSource dataSource;
    private readonly IOptions<AuthorizationOptions> options;
    private readonly ILogger<ReversalMonitor> logger;
    private long needsAttention;
    private bool counted;

    public ReversalMonitor(NpgsqlDataSource dataSource, IOptions<AuthorizationOptions> options, IMeterFactory meterFactory, ILogger<ReversalMonitor> logger)
    {
        (this.dataSource, this.options, this.logger) = (dataSource, options, logger);
        meterFactory.Create("Platform.Api").CreateObservableGauge("platform.api.reversals.needs_attention", () => Interlocked.Read(ref needsAttention),
            unit: "{reversal}", description: "Reversals whose void the processor refused on every attempt: each waits for an operator (GET /v1/reconciliation/reversals).");
    }

    public long NeedsAttention => Interlocked.Read(ref needsAttention);

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"select count(*) from ({ReversalAttention.WaitingAuthorizationsSql}) waiting", cancellationToken: cancellationToken));
        Interlocked.Exchange(ref needsAttention, count);
        counted = true;
        return count;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Reversal monitor");
        return loop.RunAsync(token => BackgroundTelemetry.UntracedAsync(() => CountAsync(token)),
            loop.Every(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs)), stoppingToken);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The last count, not a query per probe; the database's own check reports whether it answers.
        var waiting = NeedsAttention;
        return Task.FromResult(!counted ? HealthCheckResult.Healthy("Not counted yet.")
            : waiting == 0 ? HealthCheckResult.Healthy("No reversal waits for an operator.")
            : HealthCheckResult.Degraded($"{waiting} reversal(s) refused on every attempt wait for an operator: GET /v1/reconciliation/reversals."));
    }

}
