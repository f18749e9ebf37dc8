using Microsoft.Extensions.Options;

namespace Platform.SimControl.Traffic;

#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: the supported way to opt one client out of the defaults.

internal static class TrafficServiceExtensions
{
    public static IHostApplicationBuilder AddTrafficGenerator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrafficOptions>().BindConfiguration(TrafficOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Generated traffic measures the platform: a retry would send a request the schedule did not ask for and hide
        // the failure it retried. One attempt, bounded by the configured request timeout.
        builder.Services.AddHttpClient<PlatformApiClient>((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<TrafficOptions>>().Value;
                http.BaseAddress = new Uri(options.ApiBaseAddress);
                http.Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .RemoveAllResilienceHandlers();
        builder.Services.AddSingleton<TrafficCardPool>();
        builder.Services.AddSingleton<TrafficGenerator>();
        return builder;
    }
}
