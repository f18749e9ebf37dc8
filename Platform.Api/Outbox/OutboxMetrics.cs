using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;

namespace Platform.Api.Outbox;

/// <summary>
/// Outbox depth and age on meter <c>Platform.Api</c>: pending items and the age of the oldest, per kind. A growing
/// depth or age means delivery (to the processor, the e-mail sink) is falling behind. Sampled every few seconds off
/// the request path (an observable gauge's callback must not query the database); every API instance reports the
/// same shared table.
/// </summary>
internal sealed class OutboxMetrics : BackgroundService
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);
    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider time;
    private readonly ILogger<OutboxMetrics> logger;
    private volatile IReadOnlyList<(string Kind, long Depth, double AgeSeconds)> sample = [];

    public OutboxMetrics(NpgsqlDataSource dataSource, TimeProvider time, IMeterFactory meterFactory, ILogger<OutboxMetrics> logger)
    {
        this.dataSource = dataSource;
        this.time = time;
        this.logger = logger;
        var meter = meterFactory.Create(Authorizations.AuthorizationMetrics.MeterName);
        meter.CreateObservableGauge("platform.outbox.depth", () => sample.Select(s => new Measurement<long>(s.Depth, new KeyValuePair<string, object?>("kind", s.Kind))),
            unit: "{item}", description: "Outbox items waiting to be delivered, by kind.");
        meter.CreateObservableGauge("platform.outbox.age", () => sample.Select(s => new Measurement<double>(s.AgeSeconds, new KeyValuePair<string, object?>("kind", s.Kind))),
            unit: "s", description: "Age of the oldest outbox item still waiting, by kind.");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Outbox metrics sampler");
        return loop.RunAsync(async token => sample = await BackgroundTelemetry.UntracedAsync(() => ReadAsync(token)), loop.Every(SampleEvery), stoppingToken);
    }

    private async Task<IReadOnlyList<(string, long, double)>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PendingByKind>(new CommandDefinition("""
            select kind, count(*) as depth, extract(epoch from @now - min(created_at))::float8 as age_seconds
            from core.outbox where status = 'pending' group by kind
            """, new { now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => (r.Kind, r.Depth, Math.Max(0, r.AgeSeconds)))];
    }

    private sealed record PendingByKind(string Kind, long Depth, double AgeSeconds);
}
