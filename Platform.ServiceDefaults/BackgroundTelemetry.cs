using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Background workers poll every few hundred milliseconds. Traced, each empty poll would be a root trace of its own
/// and bury the real requests in the dashboard; so the polling is untraced and only the work it finds is traced.
/// </summary>
public static class BackgroundTelemetry
{
    public static async Task<T> UntracedAsync<T>(Func<Task<T>> poll)
    {
        using var _ = SuppressInstrumentationScope.Begin();
        return await poll();
    }

    public static async Task UntracedAsync(Func<Task> poll)
    {
        using var _ = SuppressInstrumentationScope.Begin();
        await poll();
    }
}
