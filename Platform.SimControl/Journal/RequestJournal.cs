using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Platform.SimControl.Processor;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Journal;

/// <summary>A simulated request as recorded on the hot path: raw values only; masking and serialising happen later.</summary>
internal sealed record PendingJournalEntry(
    string Id,
    DateTimeOffset At,
    string Simulator,
    string Operation,
    string Method,
    string Path,
    string? IdempotencyKey,
    string? ScenarioHeader,
    string Outcome,
    int Status,
    int? LatencyDrawnMs,
    double DurationMs,
    long? SettingsVersion,
    long? GlobalSettingsVersion,
    object? Request,
    string? ReplayOf);

/// <summary>
/// The journal's front door on the simulators' hot path: <see cref="Record"/> only puts the entry in a bounded
/// in-memory queue and returns; <see cref="JournalWriter"/> masks, serialises and writes queued entries to Redis in
/// batches. When Redis falls behind, entries beyond the buffer are dropped and counted, never waited for.
/// </summary>
internal sealed class RequestJournal
{
    /// <summary>The id of the entry a simulated request made, on its answer (a replay reports it).</summary>
    public const string JournalIdHeader = "X-Sim-Journal-Id";

    /// <summary>Sent by a replay so the new entry names the one it repeats.</summary>
    public const string ReplayOfHeader = "X-Sim-Replay-Of";

    /// <summary>HttpContext item: the request body as the handler read it (bytes) or bound it (a request record).</summary>
    public const string RequestItem = "sim.journal.request";

    private readonly Channel<PendingJournalEntry> queue;
    private readonly RedisSimulatorSettingsStore settings;
    private readonly TimeProvider time;
    private long dropped;

    public RequestJournal(IOptions<JournalOptions> options, RedisSimulatorSettingsStore settings, TimeProvider time)
    {
        this.settings = settings;
        this.time = time;
        queue = Channel.CreateBounded<PendingJournalEntry>(new BoundedChannelOptions(options.Value.BufferCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    internal ChannelReader<PendingJournalEntry> Queue => queue.Reader;

    /// <summary>Entries this instance could not queue because the writer was too far behind.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    public void Record(HttpContext http, string simulator, string operation, string outcome, int status, double durationMs)
    {
        var now = time.GetUtcNow();
        var id = "j_" + Guid.CreateVersion7(now).ToString("N");
        var decision = http.Items[SimulatorBehaviour.DecisionItem] as BehaviourDecision;
        var headers = http.Request.Headers;
        var entry = new PendingJournalEntry(id, now, simulator, operation, http.Request.Method, http.Request.Path.Value ?? "",
            Bounded(headers[Idempotency.HeaderName].ToString(), 255), Bounded(headers[SimScenarioHeader.Name].ToString(), 200),
            outcome, status, decision?.LatencyMs, Math.Round(durationMs, 2), decision?.SettingsVersion, settings.LastKnownGlobalVersion,
            http.Items[RequestItem], Bounded(headers[ReplayOfHeader].ToString(), 40));
        if (!queue.Writer.TryWrite(entry)) Interlocked.Increment(ref dropped);
        if (!http.Response.HasStarted) http.Response.Headers[JournalIdHeader] = id;
    }

    private static string? Bounded(string value, int max) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : value[..max];
}
