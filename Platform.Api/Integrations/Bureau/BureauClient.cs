using System.Net.Http.Json;

namespace Platform.Api.Integrations.Bureau;

public enum InquiryType { Soft, Hard }

/// <summary>A pull's result: the report, or why the bureau gave none (the caller decides what that means).</summary>
public sealed record BureauPullResult(BureauCreditReport? Report, string? UnavailableCause)
{
    public bool Answered => Report is not null;
}

/// <summary>The bureau refused the request as invalid (4xx): a bug on this side that no retry or review can fix.</summary>
public sealed class BureauRequestRejectedException(int statusCode, string? problem)
    : Exception($"The bureau rejected the credit report request with {statusCode}: {problem}")
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// Pulls credit reports. A late, failing or unreachable bureau yields <see cref="BureauPullResult.UnavailableCause"/>,
/// never an exception: an application waits in review rather than failing.
/// </summary>
public sealed partial class BureauClient(HttpClient http, ILogger<BureauClient> logger)
{
    internal static readonly HttpRequestOptionsKey<InquiryType> InquiryTypeKey = new("bureau.inquiry-type");

    public async Task<BureauPullResult> PullAsync(BureauApplicant applicant, InquiryType inquiryType, CancellationToken cancellationToken)
    {
        var body = new BureauCreditReportRequest(applicant, inquiryType == InquiryType.Hard ? "hard" : "soft");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bureau/v1/credit-reports")
        {
            Content = JsonContent.Create(body, BureauJsonContext.Default.BureauCreditReportRequest),
        };
        // The resilience pipeline reads this to decide whether a timed-out attempt may be retried.
        request.Options.Set(InquiryTypeKey, inquiryType);

        var answer = await DependencyCall.SendAsync(http, request, BureauJsonContext.Default.BureauCreditReport,
            (status, problem) => new BureauRequestRejectedException(status, problem), cancellationToken);
        if (answer.Body is { } report) return new BureauPullResult(report, null);

        var cause = answer.UnavailableCause!;
        LogUnavailable(logger, inquiryType, cause);
        return new BureauPullResult(null, cause);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bureau {InquiryType} pull unavailable ({Cause})")]
    private static partial void LogUnavailable(ILogger logger, InquiryType inquiryType, string cause);
}
