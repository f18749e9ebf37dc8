using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Settings under <c>Telemetry</c>: how much of the traffic is traced to the dashboard.</summary>
public sealed class TracingOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// Traces started per second (per process) that are exported whole; later ones in the same second are recorded
    /// but not exported, unless they fail or are slow. 0 exports every trace. A person trying one request sees all of
    /// it; at a thousand requests a second the dashboard is not asked to ingest a thousand traces.
    /// </summary>
    public int TracesPerSecond { get; set; } = 20;

    /// <summary>A request span that takes longer than this is exported even when its trace was not sampled.</summary>
    public int SlowRequestMs { get; set; } = 250;
}

/// <summary>
/// Head sampling by rate: the first <see cref="TracingOptions.TracesPerSecond"/> root spans of each second are sampled
/// (and, parent-based, everything under them in every service); the others are recorded only, so that
/// <see cref="KeepFailedAndSlowSpans"/> can still export the request span of one that fails or runs slow.
/// </summary>
internal sealed class RateLimitedSampler(int perSecond) : Sampler
{
    private long window = -1;
    private int taken;

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (perSecond <= 0) return new SamplingResult(SamplingDecision.RecordAndSample);
        var second = Stopwatch.GetTimestamp() / Stopwatch.Frequency;
        if (Interlocked.Exchange(ref window, second) != second) Interlocked.Exchange(ref taken, 0);
        return Interlocked.Increment(ref taken) <= perSecond
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.RecordOnly);
    }

    public static Sampler ParentBased(int perSecond)
    {
        var recordOnly = new RecordOnlySampler();
        return new ParentBasedSampler(new RateLimitedSampler(perSecond), remoteParentSampled: new AlwaysOnSampler(),
            remoteParentNotSampled: recordOnly, localParentSampled: new AlwaysOnSampler(), localParentNotSampled: recordOnly);
    }

    private sealed class RecordOnlySampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => new(SamplingDecision.RecordOnly);
    }
}

/// <summary>Exports a span that was recorded but not sampled when it failed or was slow: those are the ones people open.</summary>
internal sealed class KeepFailedAndSlowSpans(TimeSpan slow) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity activity)
    {
        if (activity.Recorded || !activity.IsAllDataRequested) return;
        var failed = activity.Status == ActivityStatusCode.Error
            || activity.GetTagItem("http.response.status_code") is int status && status >= 500;
        var isRequest = activity.Kind is ActivityKind.Server or ActivityKind.Consumer;
        if (isRequest && (failed || activity.Duration > slow)) activity.ActivityTraceFlags |= ActivityTraceFlags.Recorded;
    }
}
