using Platform.SimControl.Components.Shared;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Pages;

public partial class Bureau : SettingsFormPage<BureauSettings>
{
    private IQueryable<ApplicantOverride> overrides = Enumerable.Empty<ApplicantOverride>().AsQueryable();
    private IQueryable<BureauPersonaRule> personas = Enumerable.Empty<BureauPersonaRule>().AsQueryable();
    private OverrideEditor? editor;
    private IReadOnlyDictionary<string, string[]> overrideErrors = new Dictionary<string, string[]>();

    protected override Task<BureauSettings> ReadSettingsAsync() => Store.GetBureauSettingsAsync();

    protected override Task<SettingsUpdateResult<BureauSettings>> WriteSettingsAsync(BureauSettings settings) =>
        Store.UpdateBureauSettingsAsync(settings, PanelActor);

    protected override async Task LoadAsync()
    {
        await LoadSettingsAsync();
        personas = current!.PersonaRules.AsQueryable();
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
                await LoadOverridesAsync();
                if (await FollowStoredSettingsAsync() is { } latest)
                {
                    personas = latest.PersonaRules.AsQueryable();
                }
                break;
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
