using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Platform.ServiceDefaults.Tests;

public sealed class ProportionateTracingTests
{
    private static SamplingParameters Root() => new(default, ActivityTraceId.CreateRandom(), "GET /x", ActivityKind.Server);

    [Fact]
    public void The_first_traces_of_a_second_are_sampled_and_the_rest_only_recorded()
    {
        var sampler = new RateLimitedSampler(5);

        var decisions = Enumerable.Range(0, 50).Select(_ => sampler.ShouldSample(Root()).Decision).ToList();

        // The 50 calls may straddle a second boundary: at least the first five are sampled, at most ten.
        Assert.All(decisions.Take(5), d => Assert.Equal(SamplingDecision.RecordAndSample, d));
        Assert.InRange(decisions.Count(d => d == SamplingDecision.RecordAndSample), 5, 10);
        Assert.All(decisions, d => Assert.NotEqual(SamplingDecision.Drop, d));
    }

    [Fact]
    public void Zero_samples_everything() =>
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(SamplingDecision.RecordAndSample, new RateLimitedSampler(0).ShouldSample(Root()).Decision));

    [Theory]
    [InlineData(ActivityKind.Server, true, 10, true)]
    [InlineData(ActivityKind.Server, false, 900, true)]
    [InlineData(ActivityKind.Server, false, 10, false)]
    [InlineData(ActivityKind.Client, true, 900, false)]
    public void A_failed_or_slow_request_span_is_exported_even_unsampled(ActivityKind kind, bool failed, int milliseconds, bool exported)
    {
        using var activity = new Activity("request");
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.Start();
        activity.ActivityTraceFlags = ActivityTraceFlags.None;
        activity.IsAllDataRequested = true;
        typeof(Activity).GetProperty(nameof(Activity.Kind))!.SetValue(activity, kind);
        if (failed) activity.SetStatus(ActivityStatusCode.Error);
        activity.SetEndTime(activity.StartTimeUtc.AddMilliseconds(milliseconds));

        new KeepFailedAndSlowSpans(TimeSpan.FromMilliseconds(250)).OnEnd(activity);

        Assert.Equal(exported, activity.Recorded);
    }
}
