using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Platform.Api.Integrations.Fraud;
using Polly;

// RemoveAllResilienceHandlers is marked experimental (EXTEXP0001); it is the documented way to drop the handler
// that ConfigureHttpClientDefaults added, and these clients depend on exactly that.
#pragma warning disable EXTEXP0001

// In the hosting namespace, like the service defaults, so registering needs no using.
namespace Microsoft.Extensions.Hosting;

public static class FraudClientExtensions
{
    /// <summary>
    /// Registers <see cref="TransactionFraudClient"/> and <see cref="ApplicationFraudClient"/>: typed clients to
    /// <c>https+http://fraud</c>, each with its own resilience sized to its budget instead of the service defaults'
    /// standard handler (whose 10-second attempts and retries could never fit a 50 ms budget).
    /// </summary>
    public static IHostApplicationBuilder AddFraudClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FraudClientOptions>()
            .BindConfiguration(FraudClientOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<FraudClientTelemetry>();

        builder.Services.AddHttpClient<TransactionFraudClient>(ConfigureClient)
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("fraud-transaction", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<FraudClientOptions>>().Value;
                // No retry: a second attempt cannot fit in the budget. The breaker sits outside the timeout so
                // that late answers count as failures; while open, calls fail at once and the fallback decides.
                pipeline
                    .AddCircuitBreaker(Breaker("fraud-transaction-breaker"))
                    .AddTimeout(Timeout("fraud-transaction-timeout", options.TransactionTimeoutMs));
            });

        builder.Services.AddHttpClient<ApplicationFraudClient>(ConfigureClient)
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("fraud-application", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<FraudClientOptions>>().Value;
                // Total budget outside; one retry (safe: the application id makes a repeated score idempotent
                // in the fraud service's velocity); breaker; then the per-attempt timeout. The two timeouts need
                // distinct names: with the same one, the attempt after a retry was cancelled at once.
                pipeline
                    .AddTimeout(Timeout("fraud-application-total-timeout", options.ApplicationTimeoutMs))
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        Name = "fraud-application-retry",
                        MaxRetryAttempts = 1,
                        Delay = TimeSpan.FromMilliseconds(10),
                        BackoffType = DelayBackoffType.Constant,
                        UseJitter = true,
                    })
                    .AddCircuitBreaker(Breaker("fraud-application-breaker"))
                    .AddTimeout(Timeout("fraud-application-attempt-timeout", options.ApplicationAttemptTimeoutMs));
            });

        return builder;
    }

    private static void ConfigureClient(IServiceProvider services, HttpClient client)
    {
        var options = services.GetRequiredService<IOptions<FraudClientOptions>>().Value;
        client.BaseAddress = new Uri(options.BaseAddress);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationOptions.DefaultHeader, options.ApiKey);
        // The resilience pipeline bounds every call; this only guards against a misconfigured pipeline.
        client.Timeout = TimeSpan.FromSeconds(5);
    }

    /// <summary>Opens when half of at least 20 calls in 10 s failed or were late; probes again after 5 s.</summary>
    private static HttpTimeoutStrategyOptions Timeout(string name, int milliseconds) => new()
    {
        Name = name,
        Timeout = TimeSpan.FromMilliseconds(milliseconds),
    };

    private static HttpCircuitBreakerStrategyOptions Breaker(string name) => new()
    {
        Name = name,
        FailureRatio = 0.5,
        MinimumThroughput = 20,
        SamplingDuration = TimeSpan.FromSeconds(10),
        BreakDuration = TimeSpan.FromSeconds(5),
    };
}
