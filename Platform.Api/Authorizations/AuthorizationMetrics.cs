using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Api.Authorizations;

/// <summary>
/// The authorization business metrics on meter <c>Platform.Api</c>: how many were approved or declined, with which
/// response code and whether the fraud check answered; how long deciding took; and the fraud scores they were given.
/// </summary>
public sealed class AuthorizationMetrics
{
    public const string MeterName = "Platform.Api";

    private readonly Counter<long> authorizations;
    private readonly Histogram<double> duration;
    private readonly Histogram<int> fraudScore;

    public AuthorizationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        authorizations = meter.CreateCounter<long>("platform.authorizations", unit: "{authorization}",
            description: "Authorization decisions, by outcome (approved, declined), ISO 8583 response code and fraud check (completed, unavailable, not_checked).");
        duration = meter.CreateHistogram("platform.authorization.duration", unit: "s",
            description: "Time from receiving an authorization request to answering its decision.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5] });
        fraudScore = meter.CreateHistogram("platform.authorization.fraud.score", unit: "{score}",
            description: "The fraud score (0–100) each scored authorization was given, by the fraud service's recommended action.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] });
    }

    public void Decided(AuthorizationResponse decision, TimeSpan elapsed)
    {
        var fraudCheck = decision.Fraud?.Check ?? "not_checked";
        var tags = new TagList
        {
            { "outcome", decision.Status },
            { "response_code", decision.ResponseCode },
            { "fraud_check", fraudCheck },
        };
        authorizations.Add(1, tags);
        duration.Record(elapsed.TotalSeconds, new TagList { { "outcome", decision.Status } });
        if (decision.Fraud is { Score: { } score } fraud) fraudScore.Record(score, new TagList { { "fraud_action", fraud.Action } });
    }
}
