using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.SimControl.Settings;
using Platform.SimControl.Stats;
using StackExchange.Redis;

namespace Platform.SimControl.Traffic;

/// <summary>What asking for traffic came to.</summary>
internal abstract record TrafficStartResult
{
    public sealed record Started(TrafficStatus Status) : TrafficStartResult;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : TrafficStartResult;
    public sealed record AlreadyRunning(TrafficStatus Status) : TrafficStartResult;
    public sealed record NotConfigured(string Reason) : TrafficStartResult;
    public sealed record SignInFailed(string Reason) : TrafficStartResult;
}

/// <summary>
/// Runs card traffic through the real platform API. One run at a time across every simcontrol instance (a lock in
/// Redis, renewed while the run lives); the running instance publishes the run's state every second so any instance
/// answers for it, and a stop asked of another instance reaches it through Redis. A run is accepted only once the
/// generator has signed in, and it stops by itself at the end of its duration.
/// </summary>
internal sealed partial class TrafficGenerator(
    IServiceProvider services, TrafficCardPool cards, SecondSeriesRecorder series, IConnectionMultiplexer redis,
    IOptions<TrafficOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<TrafficGenerator> logger)
{
    private static readonly TimeSpan LockLifetime = TimeSpan.FromSeconds(15);
    private readonly string instance = $"{Environment.MachineName}:{Environment.ProcessId}";
    private TrafficRun? current;

    public TrafficOptions Options => options.Value;

    public async Task<TrafficStartResult> StartAsync(TrafficRequest? request, CancellationToken cancellationToken)
    {
        var (plan, errors) = TrafficPlanner.Plan(request, options.Value);
        if (plan is null) return new TrafficStartResult.Invalid(errors);
        if (!options.Value.HasCredentials)
            return new TrafficStartResult.NotConfigured("No operator identity is configured for the traffic generator (Traffic:OperatorEmail and Traffic:OperatorPassword; the AppHost passes them).");

        var runId = "trf_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N")[..20];
        var db = redis.GetDatabase();
        if (!await db.LockTakeAsync(SimRedisKeys.TrafficLock, runId, LockLifetime))
            return new TrafficStartResult.AlreadyRunning(await GetStatusAsync(cancellationToken));

        var api = services.GetRequiredService<PlatformApiClient>();
        try
        {
            await api.SignInAsync(cancellationToken);
        }
        catch (PlatformSignInException ex)
        {
            await db.LockReleaseAsync(SimRedisKeys.TrafficLock, runId);
            return new TrafficStartResult.SignInFailed(ex.Message);
        }

        var run = new TrafficRun(runId, plan, time.GetUtcNow());
        current = run;
        await PublishAsync(run);
        LogStarted(logger, runId, plan.RatePerSecond, plan.DurationSeconds, plan.Cards);
        _ = Task.Run(() => RunAsync(run, api), CancellationToken.None);
        return new TrafficStartResult.Started(run.Snapshot(time.GetUtcNow(), instance));
    }

    public async Task<TrafficStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        if (current is { } local && TrafficStates.IsActive(local.State)) return local.Snapshot(time.GetUtcNow(), instance);
        var db = redis.GetDatabase();
        var json = await db.StringGetAsync(SimRedisKeys.TrafficRun);
        if (json.IsNullOrEmpty) return TrafficStatus.Idle;
        var status = JsonSerializer.Deserialize((string)json!, TrafficJsonContext.Default.TrafficStatus) ?? TrafficStatus.Idle;
        // A run whose instance died leaves its last state behind; its lock lapses within seconds.
        if (TrafficStates.IsActive(status.State) && (await db.LockQueryAsync(SimRedisKeys.TrafficLock)) != status.RunId)
            status = status with { State = TrafficStates.Failed, Detail = $"The instance running it ({status.Instance}) stopped without finishing." };
        return status;
    }

    /// <summary>Asks the running run to stop, wherever it runs; false when nothing is running.</summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken = default)
    {
        var status = await GetStatusAsync(cancellationToken);
        if (!TrafficStates.IsActive(status.State) || status.RunId is null) return false;
        if (current is { } local && local.Id == status.RunId)
        {
            local.Detail = "Stopped on request";
            await local.Stop.CancelAsync();
        }
        else
        {
            await redis.GetDatabase().StringSetAsync(SimRedisKeys.TrafficStop(status.RunId), "1", TimeSpan.FromHours(1));
        }
        return true;
    }

    private async Task RunAsync(TrafficRun run, PlatformApiClient api)
    {
        using var heartbeat = new CancellationTokenSource();
        var beating = HeartbeatAsync(run, heartbeat.Token);
        using var stopOrShutdown = CancellationTokenSource.CreateLinkedTokenSource(run.Stop.Token, lifetime.ApplicationStopping);
        try
        {
            using (var prepare = CancellationTokenSource.CreateLinkedTokenSource(stopOrShutdown.Token))
            {
                prepare.CancelAfter(TimeSpan.FromSeconds(options.Value.PrepareTimeoutSeconds));
                var ready = await cards.EnsureAsync(api, run.Plan.Cards, n => run.CardsReady = n, prepare.Token);
                run.CardsReady = ready.Count;
                run.RunningSince = time.GetUtcNow();
                run.State = TrafficStates.Running;
                run.Detail = null;
                await PublishAsync(run);
                await new TrafficLoop(run, api, ready, series, options.Value.MaxInFlight, time).DriveAsync(stopOrShutdown.Token, lifetime.ApplicationStopping);
            }
            run.DrivingEndedAt = time.GetUtcNow();
            await DrainAsync(run);
            run.State = run.Stop.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested ? TrafficStates.Stopped : TrafficStates.Completed;
            run.Detail ??= run.State == TrafficStates.Stopped ? "Stopped before the end of its duration" : "Ran for its whole duration";
        }
        catch (Exception) when (run.Stop.IsCancellationRequested)
        {
            // A stop interrupts whatever the run was doing (a card being opened, a sign-in being renewed), and that
            // call may fail in its own way rather than as a cancellation: the run was stopped, not broken.
            run.State = TrafficStates.Stopped;
            run.Detail = run.RunningSince is null ? "Stopped while preparing test cards" : "Stopped before the end of its duration";
        }
        catch (OperationCanceledException) when (run.RunningSince is null)
        {
            // Not a stop (that is the case above): preparing the cards ran out of its time.
            run.State = TrafficStates.Failed;
            run.Detail = $"The test cards were not ready within {options.Value.PrepareTimeoutSeconds} s (Traffic:PrepareTimeoutSeconds).";
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the run must end as failed with the reason, not stay "running" until its lock lapses.
            run.State = TrafficStates.Failed;
            run.Detail = ex.Message;
            LogFailed(logger, run.Id, ex);
        }
        finally
        {
            run.EndedAt = time.GetUtcNow();
            run.DrivingEndedAt ??= run.EndedAt;
            await heartbeat.CancelAsync();
            await beating;
            await FinishAsync(run);
        }
    }

    /// <summary>Requests still in flight get their time to answer before the run reports its final counts.</summary>
    private async Task DrainAsync(TrafficRun run)
    {
        var deadline = time.GetUtcNow().AddSeconds(options.Value.RequestTimeoutSeconds + 2);
        while (run.InFlight > 0 && time.GetUtcNow() < deadline) await Task.Delay(50, CancellationToken.None);
    }

    private async Task HeartbeatAsync(TrafficRun run, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await BackgroundTelemetry.UntracedAsync(async () =>
                    {
                        var db = redis.GetDatabase();
                        await db.LockExtendAsync(SimRedisKeys.TrafficLock, run.Id, LockLifetime);
                        if (!run.Stop.IsCancellationRequested && await db.KeyExistsAsync(SimRedisKeys.TrafficStop(run.Id)))
                        {
                            run.Detail = "Stopped on request";
                            await run.Stop.CancelAsync();
                        }
                        await PublishAsync(run);
                    });
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The lock lives 15 s: a missed beat or two does not end the run.
                    LogHeartbeatFailed(logger, run.Id, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FinishAsync(TrafficRun run)
    {
        try
        {
            await PublishAsync(run);
            var db = redis.GetDatabase();
            await db.KeyDeleteAsync(SimRedisKeys.TrafficStop(run.Id));
            await db.LockReleaseAsync(SimRedisKeys.TrafficLock, run.Id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lock lapses by itself; the published state may be a second old.
            LogHeartbeatFailed(logger, run.Id, ex);
        }
        var final = run.Snapshot(time.GetUtcNow(), instance);
        LogFinished(logger, run.Id, final.State, final.Offered, final.Answered, final.AchievedRatePerSecond);
    }

    private Task PublishAsync(TrafficRun run) =>
        redis.GetDatabase().StringSetAsync(SimRedisKeys.TrafficRun,
            JsonSerializer.Serialize(run.Snapshot(time.GetUtcNow(), instance), TrafficJsonContext.Default.TrafficStatus));

    [LoggerMessage(Level = LogLevel.Information, Message = "Traffic run {RunId} started: {Rate}/s for {Duration} s on {Cards} cards")]
    private static partial void LogStarted(ILogger logger, string runId, double rate, int duration, int cards);

    [LoggerMessage(Level = LogLevel.Information, Message = "Traffic run {RunId} {State}: {Offered} offered, {Answered} answered, {Rate}/s achieved")]
    private static partial void LogFinished(ILogger logger, string runId, string state, long offered, long answered, double rate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Traffic run {RunId} failed")]
    private static partial void LogFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Traffic run {RunId}: could not publish its state or renew its lock")]
    private static partial void LogHeartbeatFailed(ILogger logger, string runId, Exception exception);
}
