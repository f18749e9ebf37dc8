namespace Platform.SimControl.Stats;

internal static class SecondSeriesServiceExtensions
{
    /// <summary>The per-second traffic series behind the live charts: recorded by every request, flushed, read.</summary>
    public static IServiceCollection AddSecondSeries(this IServiceCollection services)
    {
        services.AddSingleton<SecondSeriesRecorder>();
        services.AddHostedService<SecondSeriesFlusher>();
        services.AddSingleton<SecondSeriesReader>();
        return services;
    }
}
