using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.AppHost;

internal static class SimulatorCommands
{
    /// <summary>
    /// A dashboard button on simcontrol that puts both simulators back to their defaults, for the moment a QA
    /// session has left the processor at 100 % declines and nobody remembers what was changed.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithResetSimulatorsCommand(this IResourceBuilder<ProjectResource> simControl)
    {
        return simControl.WithCommand(
            name: "reset-simulators",
            displayName: "Reset simulators",
            executeCommand: async context =>
            {
                var endpoint = simControl.GetEndpoint("http");
                using var client = new HttpClient { BaseAddress = new Uri(endpoint.Url), Timeout = TimeSpan.FromSeconds(10) };
                try
                {
                    using var response = await client.PostAsync("/sim/v1/reset", content: null, context.CancellationToken);
                    return response.IsSuccessStatusCode
                        ? CommandResults.Success()
                        : CommandResults.Failure($"simcontrol answered {(int)response.StatusCode} {response.ReasonPhrase}");
                }
                catch (HttpRequestException ex)
                {
                    context.Services.GetRequiredService<ILoggerFactory>()
                        .CreateLogger(typeof(SimulatorCommands)).LogWarning(ex, "Reset simulators failed");
                    return CommandResults.Failure(ex.Message);
                }
            },
            commandOptions: new CommandOptions
            {
                Description = "Restore processor-sim and bureau-sim default settings and clear their statistics.",
                ConfirmationMessage = "Reset both simulators to their defaults?",
                IconName = "ArrowReset",
                UpdateState = context => context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                    ? ResourceCommandState.Enabled
                    : ResourceCommandState.Disabled,
            });
    }
}
