using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Settings;
using Icons = Microsoft.FluentUI.AspNetCore.Components.Icons;

namespace Platform.SimControl.Components.Pages;

public partial class Home : StoreSubscriberPage
{
    private ProcessorSettings? processor;
    private BureauSettings? bureau;
    private ActiveScenario? active;
    private int overrideCount;

    [Inject] private IScenarioService Scenarios { get; set; } = default!;

    protected override async Task LoadAsync()
    {
        processor = await Store.GetProcessorSettingsAsync();
        bureau = await Store.GetBureauSettingsAsync();
        active = await Scenarios.GetActiveAsync();
        overrideCount = (await Store.ListApplicantOverridesAsync()).Count;
    }

    private static string Percent(double rate) => rate.ToString("P0", CultureInfo.InvariantCulture);

    private sealed record Area(string Title, string Href, Icon Icon, string Text);

    private static readonly Area[] Areas =
    [
        new("Processor", "processor", new Icons.Regular.Size20.Payment(), "Approval and decline-code mix, errors, timeouts, latency and webhooks of the card processor."),
        new("Bureau", "bureau", new Icons.Regular.Size20.PersonSearch(), "Score distribution, per-applicant overrides and persona rules of the credit bureau."),
        new("Scenarios", "scenarios", new Icons.Regular.Size20.Play(), "Named presets applied in one action, or for a limited time."),
        new("Traffic", "traffic", new Icons.Regular.Size20.TopSpeed(), "Card traffic through the real API at a chosen rate, with its counts and charts."),
        new("Live", "live", new Icons.Regular.Size20.DataTrending(), "Charts of the last 5 to 15 minutes: requests, outcomes and latency, for the API and each simulator."),
        new("Journal", "journal", new Icons.Regular.Size20.DocumentBulletList(), "Every simulated request: what was asked, what was drawn; filter, export, replay."),
        new("E-mails", "emails", new Icons.Regular.Size20.Mail(), "Every e-mail the platform sent, with its HTML, text, attachments and links."),
        new("History", "history", new Icons.Regular.Size20.History(), "Every settings change: who made it, when, and what it changed."),
    ];
}
