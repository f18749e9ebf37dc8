using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Settings;
using Platform.SimControl.Stats;

namespace Platform.SimControl;

internal static class ApplicationServicesExtensions
{
    public const string DatabaseConnectionName = "platform";
    public const string RedisConnectionName = "redis";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(DatabaseConnectionName);
        builder.AddRedisClient(RedisConnectionName);

        builder.Services.AddOpenApi();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RedisSimulatorSettingsStore>();
        builder.Services.AddSingleton<ISimulatorSettingsStore>(sp => sp.GetRequiredService<RedisSimulatorSettingsStore>());
        builder.Services.AddSingleton<ScenarioService>();
        builder.Services.AddSingleton<IScenarioService>(sp => sp.GetRequiredService<ScenarioService>());
        builder.Services.AddHostedService<ScenarioTimer>();
        builder.Services.AddSingleton<ISimulatorStatsService, RedisSimulatorStatsService>();
        return builder;
    }
}
