using Microsoft.AspNetCore.Components;
using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Pages;

public partial class Scenarios : StoreSubscriberPage
{
    private IReadOnlyList<ScenarioDescriptor> scenarios = [];
    private ActiveScenario? active;
    private readonly Dictionary<string, int> durations = [];
    private string? message;
    private string? messageTitle;
    private MessageBarIntent messageIntent = MessageBarIntent.Info;
    private Timer? ticker;

    [Inject] private IScenarioService ScenarioService { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task LoadAsync()
    {
        scenarios = ScenarioService.List();
        active = await ScenarioService.GetActiveAsync();
    }

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        if (RendererInfo.IsInteractive)
        {
            // The countdown ticks on its own; the end of the scenario itself arrives through the change feed.
            ticker = new Timer(_ => _ = InvokeAsync(() => { if (active?.EndsAt is not null) StateHasChanged(); }),
                null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    private int Duration(ScenarioDescriptor s) =>
        durations.TryGetValue(s.Name, out var d) ? d : s.DefaultDurationSeconds ?? 60;

    private string Title(string name) => scenarios.FirstOrDefault(s => s.Name == name)?.Title ?? name;

    private TimeSpan Remaining(DateTimeOffset endsAt)
    {
        var left = endsAt - Time.GetUtcNow();
        return left < TimeSpan.Zero ? TimeSpan.Zero : left;
    }

    private static string FormatRemaining(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");

    private async Task ApplyAsync(ScenarioDescriptor scenario, TimeSpan? duration)
    {
        var result = await ScenarioService.ApplyAsync(scenario.Name, duration, PanelActor);
        if (result.Succeeded)
        {
            active = result.Active;
            Show(MessageBarIntent.Success, "Applied",
                result.Active?.EndsAt is { } end ? $"{scenario.Title} runs until {end:HH:mm:ss}." : $"{scenario.Title} is in force until changed.");
        }
        else
        {
            Show(MessageBarIntent.Error, "Not applied",
                result.Found ? string.Join(" ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) : $"No scenario named {scenario.Name}.");
        }
    }

    private async Task EndNowAsync()
    {
        var ended = await ScenarioService.EndActiveAsync(PanelActor);
        active = await ScenarioService.GetActiveAsync();
        Show(MessageBarIntent.Info, "Ended", ended ? "The previous settings are back." : "No scenario was running.");
    }

    private async Task ResetAsync()
    {
        await Store.ResetAsync(PanelActor);
        active = await ScenarioService.GetActiveAsync();
        Show(MessageBarIntent.Success, "Reset", "Both simulators are back to their defaults.");
    }

    private void Show(MessageBarIntent intent, string title, string text)
    {
        messageIntent = intent;
        messageTitle = title;
        message = text;
    }

    public override void Dispose()
    {
        ticker?.Dispose();
        base.Dispose();
    }
}
