using Microsoft.FluentUI.AspNetCore.Components;

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
        return builder;
    }
}
