using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Api.Webhooks;

/// <summary>Webhook delivery lag on meter <c>Platform.Api</c>: from the processor creating an event to this API receiving it.</summary>
public sealed class WebhookMetrics
{
    private readonly Histogram<double> lag;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        lag = meterFactory.Create(Authorizations.AuthorizationMetrics.MeterName).CreateHistogram("platform.webhooks.delivery.lag", unit: "s",
            description: "Time from the processor creating a webhook event to its delivery here, by event type and what applying it did (applied, duplicate, ignored, not_yet_known).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
    }

    public void Received(string eventType, WebhookOutcome outcome, TimeSpan lagTime) =>
        lag.Record(Math.Max(0, lagTime.TotalSeconds), new TagList
        {
            { "event_type", eventType },
            { "outcome", outcome switch { WebhookOutcome.NotYetKnown => "not_yet_known", _ => outcome.ToString().ToLowerInvariant() } },
        });
}
