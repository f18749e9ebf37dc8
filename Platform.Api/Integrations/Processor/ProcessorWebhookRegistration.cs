using Microsoft.Extensions.Options;

namespace Platform.Api.Integrations.Processor;

/// <summary>
/// Tells the processor where to send webhooks, once per start, retrying until it answers: simcontrol may still be
/// starting, and webhooks it sends meanwhile are kept and redelivered, so nothing is lost while this waits.
/// </summary>
internal sealed partial class ProcessorWebhookRegistration(
    IServiceProvider services, IOptions<ProcessorClientOptions> options, ILogger<ProcessorWebhookRegistration> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.WebhookCallbackUrl is not { Length: > 0 } url) return;
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ProcessorOperationsClient>().RegisterWebhookEndpointAsync(url, stoppingToken);
                LogRegistered(logger, url);
                return;
            }
            // Whatever goes wrong (the processor away, a refusal, a resolver fault), the API keeps serving and tries again.
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRetrying(logger, ex.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor webhooks now go to {Url}")]
    private static partial void LogRegistered(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering the webhook endpoint with the processor failed ({Error}); retrying")]
    private static partial void LogRetrying(ILogger logger, string error);
}
