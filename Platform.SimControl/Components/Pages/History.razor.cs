using System.Text.Json;
using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Pages;

public partial class History : StoreSubscriberPage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private IQueryable<SettingsChange> changes = Enumerable.Empty<SettingsChange>().AsQueryable();
    private int count;

    protected override async Task LoadAsync()
    {
        var list = await Store.GetHistoryAsync(200);
        count = list.Count;
        changes = list.AsQueryable();
    }

    private static string Json(JsonElement? element) =>
        element is { } e ? JsonSerializer.Serialize(e, Indented) : "(none)";

    private static BadgeColor KindColor(string kind) => kind switch
    {
        SettingsChangeKinds.Processor => BadgeColor.Brand,
        SettingsChangeKinds.Bureau => BadgeColor.Informative,
        SettingsChangeKinds.Applicant => BadgeColor.Subtle,
        SettingsChangeKinds.Scenario => BadgeColor.Warning,
        SettingsChangeKinds.Reset => BadgeColor.Danger,
        _ => BadgeColor.Subtle,
    };
}
