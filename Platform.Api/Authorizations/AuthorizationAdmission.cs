using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Platform.Api.Authorizations;

/// <summary>
/// How many authorizations this instance is working on, against <see cref="AuthorizationOptions.MaxInFlight"/>: an
/// overload is answered at once instead of queued until every request's budget is gone. A caller that finds every slot
/// taken waits at most <see cref="AuthorizationOptions.AdmissionWaitMs"/> for one (first come, first served).
/// </summary>
public sealed class AuthorizationAdmission
{
    private readonly SemaphoreSlim? slots;
    private readonly TimeSpan wait;
    private readonly Counter<long> shed;
    private int inFlight;

    public AuthorizationAdmission(IOptions<AuthorizationOptions> options, IMeterFactory meterFactory)
    {
        var limit = options.Value.MaxInFlight;
        slots = limit == 0 ? null : new SemaphoreSlim(limit, limit);
        wait = TimeSpan.FromMilliseconds(options.Value.AdmissionWaitMs);
        var meter = meterFactory.Create("Platform.Api");
        shed = meter.CreateCounter<long>("platform.authorizations.shed", description: "Authorizations declined 91 platform_busy because this instance was at its in-flight limit");
        meter.CreateObservableGauge("platform.authorizations.in_flight", () => Volatile.Read(ref inFlight), description: "Authorizations this instance is working on");
    }

    /// <summary>True when the caller may go on (and must <see cref="Leave"/>); false when it is to be declined busy.</summary>
    public async ValueTask<bool> TryEnterAsync(CancellationToken cancellationToken)
    {
        if (slots is not null && !slots.Wait(0) && (wait <= TimeSpan.Zero || !await slots.WaitAsync(wait, cancellationToken)))
        {
            shed.Add(1);
            return false;
        }
        Interlocked.Increment(ref inFlight);
        return true;
    }

    public void Leave()
    {
        Interlocked.Decrement(ref inFlight);
        slots?.Release();
    }
}
