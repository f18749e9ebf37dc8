namespace Platform.SimControl.Settings;

/// <summary>
/// The one place settings are read and changed, shared by the simulators, the control API and the panel, so they never
/// disagree. Backed by Redis: a change made on any instance is seen by every instance on its next read, and
/// <see cref="Changed"/> fires on every instance (Redis pub/sub) so an open panel can refresh.
/// </summary>
public interface ISimulatorSettingsStore
{
    Task<ProcessorSettings> GetProcessorSettingsAsync(CancellationToken cancellationToken = default);

    /// <summary>Validates and stores; on errors nothing is changed. Version/UpdatedAt/UpdatedBy are set by the store.</summary>
    Task<SettingsUpdateResult<ProcessorSettings>> UpdateProcessorSettingsAsync(ProcessorSettings settings, SettingsActor actor, CancellationToken cancellationToken = default);

    Task<BureauSettings> GetBureauSettingsAsync(CancellationToken cancellationToken = default);

    Task<SettingsUpdateResult<BureauSettings>> UpdateBureauSettingsAsync(BureauSettings settings, SettingsActor actor, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApplicantOverride>> ListApplicantOverridesAsync(CancellationToken cancellationToken = default);

    Task<ApplicantOverride?> GetApplicantOverrideAsync(string ssn, CancellationToken cancellationToken = default);

    /// <summary>By <see cref="ApplicantOverride.Id"/> (the panel's grid has ids, not SSNs).</summary>
    Task<ApplicantOverride?> GetApplicantOverrideByIdAsync(string id, CancellationToken cancellationToken = default);

    Task<SettingsUpdateResult<ApplicantOverride>> SetApplicantOverrideAsync(string ssn, ApplicantOverrideRequest request, SettingsActor actor, CancellationToken cancellationToken = default);

    /// <summary>Edits an existing override by id; errors under <c>id</c> when there is none.</summary>
    Task<SettingsUpdateResult<ApplicantOverride>> UpdateApplicantOverrideByIdAsync(string id, ApplicantOverrideRequest request, SettingsActor actor, CancellationToken cancellationToken = default);

    Task<bool> RemoveApplicantOverrideAsync(string ssn, SettingsActor actor, CancellationToken cancellationToken = default);

    Task<bool> RemoveApplicantOverrideByIdAsync(string id, SettingsActor actor, CancellationToken cancellationToken = default);

    /// <summary>Most recent first.</summary>
    Task<IReadOnlyList<SettingsChange>> GetHistoryAsync(int count = 200, CancellationToken cancellationToken = default);

    /// <summary>Back to defaults: both simulators' settings, applicant overrides, inquiries, statistics, active scenario.</summary>
    Task ResetAsync(SettingsActor actor, CancellationToken cancellationToken = default);

    /// <summary>Raised on every instance after any change (from any instance). Handlers run on a thread-pool thread.</summary>
    event EventHandler<SettingsChangeNotification>? Changed;

    /// <summary>The same notifications as <see cref="Changed"/>, as a stream.</summary>
    IAsyncEnumerable<SettingsChangeNotification> WatchAsync(CancellationToken cancellationToken = default);
}
