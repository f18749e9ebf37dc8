using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.AppHost;

internal static class SimulatorCommands
{
    /// <summary>What the dashboard's Start traffic button asks for; the panel's Traffic page sets any other rate.</summary>
    public const int DashboardTrafficRate = 20;
    public const int DashboardTrafficSeconds = 60;

    /// <summary>
    /// A dashboard button on simcontrol that puts both simulators back to their defaults, for the moment a QA
    /// session has left the processor at 100 % declines and nobody remembers what was changed.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithResetSimulatorsCommand(this IResourceBuilder<ProjectResource> simControl) =>
        simControl.WithSimControlCommand("reset-simulators", "Reset simulators", "ArrowReset",
            "Restore processor-sim and bureau-sim default settings and clear their statistics.",
            "Reset both simulators to their defaults?",
            client => client.PostAsync("/sim/v1/reset", content: null));

    /// <summary>
    /// Start and stop buttons for card traffic through the real API (the same control API the panel and QA scripts
    /// use); the run's charts are on the panel's Traffic and Live pages.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTrafficCommands(this IResourceBuilder<ProjectResource> simControl) =>
        simControl
            .WithSimControlCommand("start-traffic", "Start traffic", "Play",
                $"Card traffic through the API: {DashboardTrafficRate} authorizations a second for {DashboardTrafficSeconds} s on the generator's test cards.",
                null,
                client => client.PostAsJsonAsync("/sim/v1/traffic", new { ratePerSecond = DashboardTrafficRate, durationSeconds = DashboardTrafficSeconds }))
            .WithSimControlCommand("stop-traffic", "Stop traffic", "Stop",
                "Stop the running traffic (requests in flight still finish).",
                null,
                client => client.DeleteAsync("/sim/v1/traffic"));

    private static IResourceBuilder<ProjectResource> WithSimControlCommand(
        this IResourceBuilder<ProjectResource> simControl, string name, string displayName, string icon, string description, string? confirmation,
        Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        return simControl.WithCommand(
            name: name,
            displayName: displayName,
            executeCommand: async context =>
            {
                var endpoint = simControl.GetEndpoint("http");
                using var client = new HttpClient { BaseAddress = new Uri(endpoint.Url), Timeout = TimeSpan.FromSeconds(30) };
                try
                {
                    using var response = await send(client);
                    if (response.IsSuccessStatusCode) return CommandResults.Success();
                    var problem = await response.Content.ReadAsStringAsync(context.CancellationToken);
                    return CommandResults.Failure($"simcontrol answered {(int)response.StatusCode} {response.ReasonPhrase}: {problem}");
                }
                catch (HttpRequestException ex)
                {
                    context.Services.GetRequiredService<ILoggerFactory>()
                        .CreateLogger(typeof(SimulatorCommands)).LogWarning(ex, "{Command} failed", displayName);
                    return CommandResults.Failure(ex.Message);
                }
            },
            commandOptions: new CommandOptions
            {
                Description = description,
                ConfirmationMessage = confirmation,
                IconName = icon,
                UpdateState = context => context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                    ? ResourceCommandState.Enabled
                    : ResourceCommandState.Disabled,
            });
    }
}
