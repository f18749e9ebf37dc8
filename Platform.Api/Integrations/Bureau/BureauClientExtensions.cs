using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Platform.Api.Integrations.Bureau;
using Polly;
using Polly.Timeout;

// RemoveAllResilienceHandlers is experimental (EXTEXP0001); it drops the service defaults' standard handler, whose
// 10-second attempts would never fit an applicant's wait.
#pragma warning disable EXTEXP0001

namespace Microsoft.Extensions.Hosting;

public static class BureauClientExtensions
{
    /// <summary>The typed <see cref="BureauClient"/> with resilience sized to an interactive pull.</summary>
    public static IHostApplicationBuilder AddBureauClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BureauClientOptions>()
            .BindConfiguration(BureauClientOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.AttemptTimeoutMs <= o.TotalTimeoutMs, "Bureau:AttemptTimeoutMs must not exceed Bureau:TotalTimeoutMs.")
            .ValidateOnStart();

        builder.Services.AddHttpClient<BureauClient>((services, client) =>
            {
                var options = services.GetRequiredService<IOptions<BureauClientOptions>>().Value;
                client.BaseAddress = new Uri(options.BaseAddress);
                client.DefaultRequestHeaders.Add(ApiKeyAuthenticationOptions.DefaultHeader, options.ApiKey);
                // The pipeline bounds every call; this only guards against a misconfigured pipeline.
                client.Timeout = TimeSpan.FromSeconds(10);
            })
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("bureau", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<BureauClientOptions>>().Value;
                // Total budget outside; one quick retry; the breaker counts each attempt (late ones included), so a
                // bureau outage fails fast instead of holding every applicant for the full budget.
                pipeline
                    .AddTimeout(new HttpTimeoutStrategyOptions { Name = "bureau-total-timeout", Timeout = TimeSpan.FromMilliseconds(options.TotalTimeoutMs) })
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        Name = "bureau-retry",
                        MaxRetryAttempts = 1,
                        Delay = TimeSpan.FromMilliseconds(20),
                        BackoffType = DelayBackoffType.Constant,
                        UseJitter = true,
                        ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome, args.Context)),
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        Name = "bureau-breaker",
                        FailureRatio = 0.5,
                        MinimumThroughput = 20,
                        SamplingDuration = TimeSpan.FromSeconds(10),
                        BreakDuration = TimeSpan.FromSeconds(5),
                    })
                    .AddTimeout(new HttpTimeoutStrategyOptions { Name = "bureau-attempt-timeout", Timeout = TimeSpan.FromMilliseconds(options.AttemptTimeoutMs) });
            });
        return builder;
    }

    /// <summary>
    /// A refused or failed connection and a 5xx/429 mean the bureau did not produce a report: safe to ask again. A
    /// timed-out hard pull may already be on the applicant's file, and a second would cost them another inquiry, so
    /// only soft pulls are retried after a timeout.
    /// </summary>
    private static bool IsRetryable(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Exception is TimeoutRejectedException)
        {
            return context.GetRequestMessage() is { } request
                && request.Options.TryGetValue(BureauClient.InquiryTypeKey, out var type) && type == InquiryType.Soft;
        }
        if (outcome.Exception is HttpRequestException) return true;
        return outcome.Result is { } response
            && ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests);
    }
}
