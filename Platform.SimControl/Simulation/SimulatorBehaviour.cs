using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Platform.SimControl.Processor;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Simulation;

/// <summary>The transport-level behaviour of one request: how long it takes and whether it fails or hangs.</summary>
internal sealed record BehaviourInputs(
    string Simulator,
    string Operation,
    long? Seed,
    long SettingsVersion,
    double ErrorRate,
    double TimeoutRate,
    int ErrorStatusCode,
    LatencySettings Latency,
    int FailFirstCalls,
    SimScenarioHeader Header);

internal sealed record BehaviourDecision(int? ErrorStatus, bool Timeout, int LatencyMs, SimRandom Random, long SettingsVersion);

/// <summary>
/// Decides, then plays out, latency, errors and timeouts for the simulators. Draw order is fixed (error, timeout,
/// latency, then the operation's own draws) so that a seeded run is reproducible whatever the outcome.
/// </summary>
internal sealed class SimulatorBehaviour(IConnectionMultiplexer redis, IOptions<SimulatorOptions> options, TimeProvider time)
{
    public const string OutcomeItem = "sim.outcome";

    /// <summary>HttpContext item: the <see cref="BehaviourDecision"/> played for the request (the journal records it).</summary>
    public const string DecisionItem = "sim.decision";

    public async Task<BehaviourDecision> DecideAsync(BehaviourInputs inputs)
    {
        var db = redis.GetDatabase();
        var random = SimRandom.Unseeded();
        if (inputs.Seed is { } seed)
        {
            var sequenceKey = SimRedisKeys.SeedSequence(inputs.Simulator, inputs.Operation, inputs.SettingsVersion);
            var sequence = await db.StringIncrementAsync(sequenceKey);
            // One counter per settings version; old ones are of no use once the settings change.
            if (sequence == 1) _ = db.KeyExpireAsync(sequenceKey, TimeSpan.FromDays(1), CommandFlags.FireAndForget);
            random = SimRandom.Seeded(seed, inputs.Simulator, inputs.Operation, sequence);
        }

        var errorDraw = random.NextDouble();
        var timeoutDraw = random.NextDouble();
        var latency = LatencyModel.Draw(inputs.Latency, random.NextGaussian());
        if (inputs.Header.LatencyMs is { } forcedLatency) latency = forcedLatency;

        int? error = null;
        var timeout = false;
        if (inputs.Header.ErrorStatus is { } forcedStatus) error = forcedStatus;
        else if (inputs.Header.Timeout) timeout = true;
        else if (inputs.Header.Approve || inputs.Header.DeclineCode is not null || inputs.Header.Partial) { }
        else
        {
            if (inputs.FailFirstCalls > 0)
            {
                // Counted across instances, per settings version: re-applying the scenario starts a fresh count.
                var n = await db.StringIncrementAsync(SimRedisKeys.FailFirstCounter(inputs.SettingsVersion));
                if (n == 1) await db.KeyExpireAsync(SimRedisKeys.FailFirstCounter(inputs.SettingsVersion), TimeSpan.FromDays(1));
                if (n <= inputs.FailFirstCalls) error = inputs.ErrorStatusCode;
            }
            if (error is null)
            {
                if (errorDraw < inputs.ErrorRate) error = inputs.ErrorStatusCode;
                else if (timeoutDraw < inputs.TimeoutRate) timeout = true;
            }
        }
        return new BehaviourDecision(error, timeout, latency, random, inputs.SettingsVersion);
    }

    /// <summary>
    /// Waits the drawn latency, then, for an error or a timeout, produces the answer (null: carry on with the
    /// operation). A timeout holds the request until the caller gives up.
    /// </summary>
    public async Task<ProblemHttpResult?> PlayAsync(BehaviourDecision decision, HttpContext context)
    {
        context.Items[DecisionItem] = decision;
        var aborted = context.RequestAborted;
        try
        {
            // Latency is the processing time of a request that arrived: like a real processor, the work goes on when
            // the caller stops waiting, so a caller that gave up can meet the outcome later (and must reconcile it).
            if (decision.LatencyMs > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(decision.LatencyMs), time, context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            if (decision.Timeout)
            {
                context.Items[OutcomeItem] = "timeout";
                await Task.Delay(TimeSpan.FromMilliseconds(options.Value.TimeoutHoldMs), time, aborted);
                return TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "Simulated timeout");
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested || context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
        {
            context.Items.TryAdd(OutcomeItem, "aborted");
            return TypedResults.Problem(statusCode: 499, title: "Caller gave up");
        }
        if (decision.ErrorStatus is { } status)
        {
            return TypedResults.Problem(statusCode: status, title: "Simulated error",
                detail: "The simulator was told to fail this request (error rate, scenario or X-Sim-Scenario header).");
        }
        return null;
    }
}

/// <summary>Marks an endpoint as a simulated operation whose traffic goes into the statistics.</summary>
internal sealed record SimOperation(string Simulator, string Operation);

internal static class SimStatsEndpointFilter
{
    /// <summary>
    /// Records every simulated request with its outcome and duration, whatever the handler returned: in the statistics,
    /// the per-second series of the live charts and the request journal (each a cheap in-memory or fire-and-forget write).
    /// </summary>
    public static TBuilder WithSimStats<TBuilder>(this TBuilder builder, string simulator, string operation) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new SimOperation(simulator, operation));
        // A simulated operation fails however it is told to: any 5xx, from the settings or the header.
        builder.ProducesServerErrors()
            .DeclaresHeader(SimScenarioHeader.Name, "Forces this request's outcome, e.g. `decline:51`, `partial:500`, `timeout`, `error:503`, `latency:800` (bureau: `score:N`, `flag:NAME`, `nohit`); comma-separated.");
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            var series = http.RequestServices.GetRequiredService<Stats.SecondSeriesRecorder>();
            series.Offered(simulator, operation);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = await next(ctx);
            var status = StatusOf(result);
            var outcome = http.Items.TryGetValue(SimulatorBehaviour.OutcomeItem, out var o) && o is string s
                ? s
                : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            try
            {
                http.RequestServices.GetRequiredService<Stats.ISimulatorStatsService>().Record(simulator, operation, outcome, elapsed);
            }
            catch (StackExchange.Redis.RedisException)
            {
                // Statistics are best effort. The operation is done and recorded; failing its answer now would tell the
                // caller it did not happen (an authorization approved here, unknown to the platform).
            }
            // In memory only: the live series and the journal are written to Redis in the background.
            series.Answered(simulator, operation, outcome, elapsed);
            http.RequestServices.GetRequiredService<Journal.RequestJournal>().Record(http, simulator, operation, outcome, status, elapsed);
            return result;
        });
        return builder;
    }

    /// <summary>The status a handler's result will answer with, looking inside <c>Results&lt;…&gt;</c> unions.</summary>
    internal static int StatusOf(object? result) => result switch
    {
        INestedHttpResult nested => StatusOf(nested.Result),
        IStatusCodeHttpResult { StatusCode: { } code } => code,
        _ => StatusCodes.Status200OK,
    };
}
