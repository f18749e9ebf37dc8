using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Platform.Api.Integrations.Processor;
using Polly;
using Polly.Timeout;

// See FraudClientExtensions: RemoveAllResilienceHandlers is the documented way to replace the defaults' handler.
#pragma warning disable EXTEXP0001

namespace Microsoft.Extensions.Hosting;

public static class ProcessorClientExtensions
{
    /// <summary>
    /// Registers the processor's two typed clients. The authorize client has no retry (the budget has no room for one)
    /// and a per-call timeout taken from the authorization's remaining budget; the operations client serves the outbox,
    /// which retries on its own schedule with the same idempotency key, so it gets a plain timeout and no retry either.
    /// </summary>
    public static IHostApplicationBuilder AddProcessorClients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProcessorClientOptions>()
            .BindConfiguration(ProcessorClientOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddHttpClient<ProcessorAuthorizationClient>(ConfigureClient)
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("processor-authorize", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ProcessorClientOptions>>().Value;
                var ceiling = TimeSpan.FromMilliseconds(options.AuthorizeTimeoutMs);
                pipeline
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        Name = "processor-authorize-breaker",
                        FailureRatio = 0.5,
                        MinimumThroughput = 20,
                        SamplingDuration = TimeSpan.FromSeconds(10),
                        BreakDuration = TimeSpan.FromSeconds(5),
                        // A timeout counts against the processor only when the call had a fair share of time: when
                        // our own queueing left a few milliseconds, opening the breaker would turn a local overload
                        // into declining everything for the break.
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is TimeoutRejectedException
                            ? HadFairBudget(args.Context, ceiling)
                            : HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    })
                    .AddTimeout(new HttpTimeoutStrategyOptions
                    {
                        Name = "processor-authorize-timeout",
                        TimeoutGenerator = args =>
                        {
                            var budget = args.Context.GetRequestMessage() is { } request
                                && request.Options.TryGetValue(ProcessorAuthorizationClient.BudgetKey, out var remaining)
                                ? remaining : ceiling;
                            return ValueTask.FromResult(budget < ceiling ? (budget > TimeSpan.FromMilliseconds(1) ? budget : TimeSpan.FromMilliseconds(1)) : ceiling);
                        },
                    });
            });

        builder.Services.AddHttpClient<ProcessorOperationsClient>(ConfigureClient)
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("processor-operations", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ProcessorClientOptions>>().Value;
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions
                {
                    Name = "processor-operations-timeout",
                    Timeout = TimeSpan.FromMilliseconds(options.OperationTimeoutMs),
                });
            });

        builder.Services.AddHostedService<ProcessorWebhookRegistration>();
        return builder;
    }

    private static bool HadFairBudget(ResilienceContext context, TimeSpan ceiling) =>
        context.GetRequestMessage() is not { } request
        || !request.Options.TryGetValue(ProcessorAuthorizationClient.BudgetKey, out var budget)
        || budget >= ceiling / 2;

    private static void ConfigureClient(IServiceProvider services, HttpClient client)
    {
        var options = services.GetRequiredService<IOptions<ProcessorClientOptions>>().Value;
        client.BaseAddress = new Uri(options.BaseAddress);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationOptions.DefaultHeader, options.ApiKey);
        client.Timeout = TimeSpan.FromSeconds(65);
    }
}
