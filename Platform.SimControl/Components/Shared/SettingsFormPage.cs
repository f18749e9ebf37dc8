using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Shared;

/// <summary>
/// A page that edits one simulator's settings: the stored values, the form being typed, saving, and what happens when
/// someone else saves meanwhile (the form follows, unless the user has unsaved edits: those are kept and a notice says
/// the stored values moved on).
/// </summary>
public abstract class SettingsFormPage<TSettings> : StoreSubscriberPage where TSettings : class, IVersionedSettings<TSettings>
{
    protected TSettings? current;
    protected TSettings? form;
    protected long? savedVersion;
    protected string? changedElsewhere;
    protected bool saving;

    protected bool IsDirty => current is not null && form is not null && !SameValues(current, form);

    protected abstract Task<TSettings> ReadSettingsAsync();

    protected abstract Task<SettingsUpdateResult<TSettings>> WriteSettingsAsync(TSettings settings);

    /// <summary>Puts equal settings into one canonical form before comparing (e.g. map order).</summary>
    protected virtual void Normalize(TSettings settings)
    {
    }

    protected async Task LoadSettingsAsync()
    {
        current = await ReadSettingsAsync();
        form = current.Clone();
        changedElsewhere = null;
    }

    /// <summary>Reads the stored settings after a change elsewhere; null when they have not moved on.</summary>
    protected async Task<TSettings?> FollowStoredSettingsAsync()
    {
        var latest = await ReadSettingsAsync();
        if (current is not null && latest.Version == current.Version) return null;
        if (IsDirty)
        {
            // Never overwrite what the user is typing; say that the stored values moved on.
            current = latest;
            changedElsewhere = $"Version {latest.Version} was saved by {latest.UpdatedBy ?? "someone"} at {latest.UpdatedAt:HH:mm:ss}";
            return latest;
        }
        current = latest;
        form = latest.Clone();
        savedVersion = null;
        return latest;
    }

    protected async Task LoadLatest()
    {
        await LoadAsync();
        errors = new Dictionary<string, string[]>();
        savedVersion = null;
    }

    protected async Task SaveAsync()
    {
        if (form is null) return;
        saving = true;
        try
        {
            var result = await WriteSettingsAsync(form.Clone());
            errors = result.Errors;
            savedVersion = null;
            if (result.Succeeded && result.Value is { } stored)
            {
                current = stored;
                form = stored.Clone();
                savedVersion = stored.Version;
                changedElsewhere = null;
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            // The store is unreachable or contended: say so and keep the form as typed.
            errors = new Dictionary<string, string[]> { ["store"] = [$"Could not save: {ex.Message}"] };
            savedVersion = null;
        }
        finally
        {
            saving = false;
        }
    }

    /// <summary>Compares what QA edits, not the store's bookkeeping.</summary>
    private bool SameValues(TSettings a, TSettings b)
    {
        var x = a.Clone();
        var y = b.Clone();
        foreach (var settings in (TSettings[])[x, y])
        {
            settings.Version = 0;
            settings.UpdatedAt = null;
            settings.UpdatedBy = null;
            Normalize(settings);
        }
        return SettingsJson.Serialize(x) == SettingsJson.Serialize(y);
    }
}
