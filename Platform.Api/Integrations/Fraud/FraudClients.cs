using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Platform.Api.Integrations.Fraud;

/// <summary>Scores card transactions. Never takes longer than <see cref="FraudClientOptions.TransactionTimeoutMs"/>.</summary>
public sealed class TransactionFraudClient(HttpClient http, IOptions<FraudClientOptions> options, FraudClientTelemetry telemetry, ILogger<TransactionFraudClient> logger)
{
    /// <summary>The fraud service's recommendation, or the fallback rule's (see <see cref="FraudFallback"/>) when it is late or down.</summary>
    /// <exception cref="FraudRequestRejectedException">The fraud service found the request invalid: a bug on this side.</exception>
    public Task<FraudAssessment> ScoreAsync(FraudTransactionRequest request, CancellationToken cancellationToken = default) =>
        FraudCall.SendAsync(http, "/v1/score/transaction", request, FraudJsonContext.Default.FraudTransactionRequest,
            () => FraudFallback.ForTransaction(request.Amount, options.Value.FallbackApproveUpToMinor),
            "transaction", telemetry, logger, cancellationToken);
}

/// <summary>Scores applications for credit. Never takes longer than <see cref="FraudClientOptions.ApplicationTimeoutMs"/>.</summary>
public sealed class ApplicationFraudClient(HttpClient http, FraudClientTelemetry telemetry, ILogger<ApplicationFraudClient> logger)
{
    /// <summary>The fraud service's recommendation, or manual review (see <see cref="FraudFallback"/>) when it is late or down.</summary>
    /// <exception cref="FraudRequestRejectedException">The fraud service found the request invalid: a bug on this side.</exception>
    public Task<FraudAssessment> ScoreAsync(FraudApplicationRequest request, CancellationToken cancellationToken = default) =>
        FraudCall.SendAsync(http, "/v1/score/application", request, FraudJsonContext.Default.FraudApplicationRequest,
            FraudFallback.ForApplication, "application", telemetry, logger, cancellationToken);
}

/// <summary>The fraud service answered 4xx: the request was malformed, which no fallback should hide.</summary>
public sealed class FraudRequestRejectedException(int statusCode, string? problem)
    : Exception($"The fraud service rejected the request with {statusCode}: {problem}")
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>Counts fallbacks (meter <c>Platform.Api</c>), so a dashboard shows when decisions are made without fraud scores.</summary>
public sealed class FraudClientTelemetry
{
    private readonly Counter<long> fallbacks;

    public FraudClientTelemetry(IMeterFactory meterFactory)
    {
        fallbacks = meterFactory.Create("Platform.Api").CreateCounter<long>("platform.api.fraud.fallbacks", unit: "{decision}",
            description: "Decisions made by the fallback rule because the fraud service did not answer in time.");
    }

    public void Fallback(string kind, string cause) =>
        fallbacks.Add(1, new KeyValuePair<string, object?>("fraud.kind", kind), new KeyValuePair<string, object?>("fraud.cause", cause));
}

internal static partial class FraudCall
{
    public static async Task<FraudAssessment> SendAsync<TRequest>(HttpClient http, string path, TRequest request,
        JsonTypeInfo<TRequest> requestType, Func<FraudAssessment> fallback, string kind, FraudClientTelemetry telemetry,
        ILogger logger, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(request, requestType) };
        var answer = await DependencyCall.SendAsync(http, message, FraudJsonContext.Default.FraudScoreResponse,
            (status, problem) => new FraudRequestRejectedException(status, problem), cancellationToken);
        if (answer.Body is { } body) return FraudAssessment.From(body);

        var cause = answer.UnavailableCause!;
        telemetry.Fallback(kind, cause);
        LogFallback(logger, kind, cause);
        return fallback();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fraud {Kind} score unavailable ({Cause}); fallback rule applied")]
    private static partial void LogFallback(ILogger logger, string kind, string cause);
}
