using Platform.SimControl.Components.Shared;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Pages;

public partial class Bureau : StoreSubscriberPage
{
    private BureauSettings? current;
    private BureauSettings? form;
    private IQueryable<ApplicantOverride> overrides = Enumerable.Empty<ApplicantOverride>().AsQueryable();
    private IQueryable<BureauPersonaRule> personas = Enumerable.Empty<BureauPersonaRule>().AsQueryable();
    private long? savedVersion;
    private string? changedElsewhere;
    private bool saving;
    private OverrideEditor? editor;
    private IReadOnlyDictionary<string, string[]> overrideErrors = new Dictionary<string, string[]>();

    private bool IsDirty => current is not null && form is not null && !SameValues(current, form);

    protected override async Task LoadAsync()
    {
        current = await Store.GetBureauSettingsAsync();
        form = current.Clone();
        personas = current.PersonaRules.AsQueryable();
        changedElsewhere = null;
        await LoadOverridesAsync();
    }

    private async Task LoadOverridesAsync() =>
        overrides = (await Store.ListApplicantOverridesAsync()).AsQueryable();

    protected override async Task OnSettingsChangedAsync(SettingsChangeNotification change)
    {
        switch (change.Kind)
        {
            case SettingsChangeKinds.Applicant:
                await LoadOverridesAsync();
                break;
            case SettingsChangeKinds.Bureau or SettingsChangeKinds.Scenario or SettingsChangeKinds.Reset:
                var latest = await Store.GetBureauSettingsAsync();
                await LoadOverridesAsync();
                if (current is not null && latest.Version == current.Version) return;
                personas = latest.PersonaRules.AsQueryable();
                if (IsDirty)
                {
                    current = latest;
                    changedElsewhere = $"Version {latest.Version} was saved by {latest.UpdatedBy ?? "someone"} at {latest.UpdatedAt:HH:mm:ss}";
                    return;
                }
                current = latest;
                form = latest.Clone();
                savedVersion = null;
                break;
        }
    }

    private async Task LoadLatest()
    {
        await LoadAsync();
        errors = new Dictionary<string, string[]>();
        savedVersion = null;
    }

    private async Task SaveAsync()
    {
        if (form is null) return;
        saving = true;
        try
        {
            var result = await Store.UpdateBureauSettingsAsync(form.Clone(), PanelActor);
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

    private void StartAdd()
    {
        editor = new OverrideEditor();
        overrideErrors = new Dictionary<string, string[]>();
    }

    private void StartEdit(ApplicantOverride o)
    {
        editor = new OverrideEditor { Id = o.Id, Last4 = o.SsnLast4, Score = o.Score, Flags = o.Flags.Clone() };
        overrideErrors = new Dictionary<string, string[]>();
    }

    private void CancelEdit()
    {
        editor = null;
        overrideErrors = new Dictionary<string, string[]>();
    }

    private async Task SaveOverrideAsync()
    {
        if (editor is null) return;
        var request = new ApplicantOverrideRequest { Score = editor.Score, Flags = editor.Flags.Clone() };
        var result = editor.Id is null
            ? await Store.SetApplicantOverrideAsync(editor.Ssn ?? "", request, PanelActor)
            : await Store.UpdateApplicantOverrideByIdAsync(editor.Id, request, PanelActor);
        overrideErrors = result.Errors;
        if (result.Succeeded)
        {
            editor = null;
            await LoadOverridesAsync();
        }
    }

    private async Task RemoveAsync(ApplicantOverride o)
    {
        await Store.RemoveApplicantOverrideByIdAsync(o.Id, PanelActor);
        if (editor?.Id == o.Id) editor = null;
        await LoadOverridesAsync();
    }

    private string? OverrideError(string field) =>
        overrideErrors.TryGetValue(field, out var m) ? string.Join(" ", m) : null;

    private Microsoft.FluentUI.AspNetCore.Components.MessageState? OverrideState(string field) =>
        overrideErrors.ContainsKey(field) ? Microsoft.FluentUI.AspNetCore.Components.MessageState.Error : null;

    private static bool SameValues(BureauSettings a, BureauSettings b)
    {
        var x = a.Clone();
        var y = b.Clone();
        x.Version = y.Version = 0;
        x.UpdatedAt = y.UpdatedAt = null;
        x.UpdatedBy = y.UpdatedBy = null;
        return SettingsJson.Serialize(x) == SettingsJson.Serialize(y);
    }

    private sealed class OverrideEditor
    {
        /// <summary>Null for a new override; then <see cref="Ssn"/> is asked for.</summary>
        public string? Id { get; init; }
        public string? Last4 { get; init; }
        public string? Ssn { get; set; }
        public int? Score { get; set; }
        public BureauFlags Flags { get; set; } = new();
    }
}
