using Platform.Api.Cards;
using Platform.Api.Idempotency;
using Platform.Api.Outbox;
using Platform.Api.Reconciliation;
using Platform.Api.Webhooks;

namespace Platform.Api.Authorizations;

internal static class AuthorizationServiceCollectionExtensions
{
    /// <summary>Authorizations, the operations that follow them, the webhooks that settle them and the workers around them.</summary>
    public static IServiceCollection AddCardsAndMoney(this IServiceCollection services)
    {
        services.AddOptions<AuthorizationOptions>().BindConfiguration(AuthorizationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<AuthorizationMetrics>();
        services.AddSingleton<AuthorizationAdmission>();
        services.AddSingleton<Webhooks.WebhookMetrics>();
        services.AddSingleton<AuthorizationStore>();
        services.AddSingleton<AuthorizationRecorder>();
        services.AddTransient<AuthorizationService>();
        services.AddSingleton<CardOperations>();
        services.AddSingleton<ProcessorWebhookApplier>();
        services.AddSingleton<ReconciliationStore>();
        services.AddTransient<ProcessorReconciler>();
        services.AddTransient<IOutboxHandler, OperationSubmitter>();
        services.AddTransient<IOutboxHandler, AuthorizationReverser>();
        services.AddTransient<IOutboxHandler, CardIssueSubmitter>();
        services.AddSingleton<Reversals>();
        services.AddSingleton<ReversalMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ReversalMonitor>());
        services.AddHealthChecks().AddCheck<ReversalMonitor>("reversals", failureStatus: Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded);
        services.AddSingleton<HoldSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<HoldSweeper>());
        return services;
    }
}
