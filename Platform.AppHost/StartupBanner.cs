using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.AppHost;

internal static partial class StartupBanner
{
    /// <summary>Once the endpoints are allocated, says where a person opens each part of the platform.</summary>
    public static void AnnounceEndpoints(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> simControl,
        IResourceBuilder<ProjectResource> fraud)
    {
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform");
            LogEndpoints(logger, api.GetEndpoint("http").Url, simControl.GetEndpoint("http").Url, fraud.GetEndpoint("http").Url);
            return Task.CompletedTask;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = """
        Card platform endpoints:
              - API:            {ApiUrl}  (reference: {ApiUrl}/scalar/v1, OpenAPI: {ApiUrl}/openapi/v1.json)
              - Control panel:  {SimControlUrl}  (processor-sim /processor/v1, bureau-sim /bureau/v1, control API /sim/v1)
              - Fraud:          {FraudUrl}
              - Dashboard:      the login URL printed above
        """)]
    private static partial void LogEndpoints(ILogger logger, string apiUrl, string simControlUrl, string fraudUrl);
}
