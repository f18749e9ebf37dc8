using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Drops a Redis or PostgreSQL client span that has no parent. Such a span is a background poll or a health-check
/// ping: several a second, each a root trace of its own, burying the requests people open the dashboard to see.
/// The same commands made inside a request, a scoring or a delivery keep their spans.
/// </summary>
internal sealed class OrphanStoreSpanFilter : BaseProcessor<Activity>
{
    private static readonly HashSet<string> StoreClientSources = new(StringComparer.Ordinal)
    {
        "OpenTelemetry.Instrumentation.StackExchangeRedis",
        "Npgsql",
    };

    public override void OnEnd(Activity activity)
    {
        if (activity.ParentSpanId == default && StoreClientSources.Contains(activity.Source.Name))
        {
            // Exporters skip activities that are not marked as recorded; this processor runs before them.
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
