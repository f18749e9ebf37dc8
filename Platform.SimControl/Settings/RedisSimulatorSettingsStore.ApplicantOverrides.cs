namespace Platform.SimControl.Settings;

/// <summary>The bureau's per-applicant overrides (score, flags), keyed by a hash of the SSN, never the SSN itself.</summary>
internal sealed partial class RedisSimulatorSettingsStore
{
    public async Task<IReadOnlyList<ApplicantOverride>> ListApplicantOverridesAsync(CancellationToken cancellationToken = default)
    {
        var entries = await Db.HashGetAllAsync(SimRedisKeys.ApplicantOverrides);
        return entries.Select(e => SettingsJson.Deserialize<ApplicantOverride>(e.Value)!)
            .OrderByDescending(o => o.UpdatedAt).ToList();
    }

    public Task<ApplicantOverride?> GetApplicantOverrideAsync(string ssn, CancellationToken cancellationToken = default) =>
        Ssn.Normalize(ssn) is { } normalized ? GetApplicantOverrideByIdAsync(Ssn.Id(normalized), cancellationToken) : Task.FromResult<ApplicantOverride?>(null);

    public async Task<ApplicantOverride?> GetApplicantOverrideByIdAsync(string id, CancellationToken cancellationToken = default) =>
        SettingsJson.Deserialize<ApplicantOverride>(await Db.HashGetAsync(SimRedisKeys.ApplicantOverrides, id));

    public Task<SettingsUpdateResult<ApplicantOverride>> SetApplicantOverrideAsync(string ssn, ApplicantOverrideRequest request, SettingsActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = SettingsValidator.Validate(ssn, request);
        if (errors.Count > 0) return Task.FromResult(SettingsUpdateResult<ApplicantOverride>.Invalid(errors));
        var normalized = Ssn.Normalize(ssn)!;
        return WriteOverrideAsync(Ssn.Id(normalized), normalized[^4..], request, actor);
    }

    public async Task<SettingsUpdateResult<ApplicantOverride>> UpdateApplicantOverrideByIdAsync(string id, ApplicantOverrideRequest request, SettingsActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var existing = await GetApplicantOverrideByIdAsync(id, cancellationToken);
        if (existing is null) return SettingsUpdateResult<ApplicantOverride>.Invalid(new Dictionary<string, string[]> { ["id"] = ["No override with this id."] });
        var errors = SettingsValidator.Validate("000000000", request);
        if (errors.Count > 0) return SettingsUpdateResult<ApplicantOverride>.Invalid(errors);
        return await WriteOverrideAsync(id, existing.SsnLast4, request, actor);
    }

    private async Task<SettingsUpdateResult<ApplicantOverride>> WriteOverrideAsync(string id, string last4, ApplicantOverrideRequest request, SettingsActor actor)
    {
        var now = time.GetUtcNow();
        var before = await GetApplicantOverrideByIdAsync(id);
        var after = new ApplicantOverride
        {
            Id = id, SsnLast4 = last4, Score = request.Score, Flags = request.Flags?.Clone() ?? new BureauFlags(),
            UpdatedAt = now, UpdatedBy = actor.Id,
        };
        var change = NewChange(SettingsChangeKinds.Applicant, id, actor, now,
            $"applicant ***-**-{last4}: {(before is null ? "override added" : "override changed")} (score {after.Score?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "drawn"}, flags {Summaries.Flags(after.Flags)})",
            before is null ? null : SettingsJson.ToElement(before), SettingsJson.ToElement(after));
        var tx = Db.CreateTransaction();
        _ = tx.HashSetAsync(SimRedisKeys.ApplicantOverrides, id, SettingsJson.Serialize(after));
        var version = tx.StringIncrementAsync(SimRedisKeys.SettingsVersion);
        QueueChange(tx, change);
        await tx.ExecuteAsync();
        await PublishAsync(change, await version);
        return SettingsUpdateResult<ApplicantOverride>.Ok(after);
    }

    public Task<bool> RemoveApplicantOverrideAsync(string ssn, SettingsActor actor, CancellationToken cancellationToken = default) =>
        Ssn.Normalize(ssn) is { } normalized ? RemoveApplicantOverrideByIdAsync(Ssn.Id(normalized), actor, cancellationToken) : Task.FromResult(false);

    public async Task<bool> RemoveApplicantOverrideByIdAsync(string id, SettingsActor actor, CancellationToken cancellationToken = default)
    {
        var before = await GetApplicantOverrideByIdAsync(id, cancellationToken);
        if (before is null) return false;
        var now = time.GetUtcNow();
        var change = NewChange(SettingsChangeKinds.Applicant, id, actor, now, $"applicant ***-**-{before.SsnLast4}: override removed", SettingsJson.ToElement(before), null);
        var tx = Db.CreateTransaction();
        var deleted = tx.HashDeleteAsync(SimRedisKeys.ApplicantOverrides, id);
        var version = tx.StringIncrementAsync(SimRedisKeys.SettingsVersion);
        QueueChange(tx, change);
        await tx.ExecuteAsync();
        await PublishAsync(change, await version);
        return await deleted;
    }
}
