using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Fraud.Scoring;

/// <summary>
/// The service's own metrics (meter <c>Platform.Fraud</c>) and spans (activity source <c>Platform.Fraud</c>);
/// the service defaults export every <c>Platform.*</c> meter and source to the dashboard.
/// </summary>
internal sealed class FraudTelemetry
{
    public const string Name = "Platform.Fraud";

    public static readonly ActivitySource Source = new(Name);

    private readonly Histogram<int> scores;
    private readonly Counter<long> decisions;
    private readonly Histogram<double> duration;
    private readonly Counter<long> degraded;

    public FraudTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        scores = meter.CreateHistogram("platform.fraud.score", unit: "{score}",
            description: "Fraud scores given, 0 to 100.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] });
        decisions = meter.CreateCounter<long>("platform.fraud.decisions", unit: "{decision}",
            description: "Recommended actions, by kind of score and action.");
        duration = meter.CreateHistogram("platform.fraud.scoring.duration", unit: "s",
            description: "Time to score a request, velocity lookup included.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
            });
        degraded = meter.CreateCounter<long>("platform.fraud.velocity.degraded", unit: "{score}",
            description: "Scores given with default velocity because Redis did not answer in time.");
    }

    public void Record(string kind, FraudScore score)
    {
        var kindTag = new KeyValuePair<string, object?>("fraud.kind", kind);
        scores.Record(score.Score, kindTag);
        decisions.Add(1, kindTag, new KeyValuePair<string, object?>("fraud.action", score.Action.Name()));
        duration.Record(score.ScoringTimeMs / 1000, kindTag, new KeyValuePair<string, object?>("fraud.degraded", score.Degraded));
        if (score.Degraded)
        {
            degraded.Add(1, kindTag);
        }
    }
}
