using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Platform.Api.Authorizations;

/// <summary>
/// How many authorizations this instance is working on, against <see cref="AuthorizationOptions.MaxInFlight"/>: an
/// overload is answered at once instead of queued until every request's budget is gone.
/// </summary>
public sealed class AuthorizationAdmission
{
    private readonly int limit;
    private readonly Counter<long> shed;
    private int inFlight;

    public AuthorizationAdmission(IOptions<AuthorizationOptions> options, IMeterFactory meterFactory)
    {
        limit = options.Value.MaxInFlight;
        var meter = meterFactory.Create("Platform.Api");
        shed = meter.CreateCounter<long>("platform.authorizations.shed", description: "Authorizations declined 91 platform_busy because this instance was at its in-flight limit");
        meter.CreateObservableGauge("platform.authorizations.in_flight", () => Volatile.Read(ref inFlight), description: "Authorizations this instance is working on");
    }

    /// <summary>True when the caller may go on (and must <see cref="Leave"/>); false when it is to be declined busy.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref inFlight) <= limit || limit == 0) return true;
        Interlocked.Decrement(ref inFlight);
        shed.Add(1);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref inFlight);
}
