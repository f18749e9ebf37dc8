using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Journal;

namespace Platform.SimControl.Components.Pages;

public partial class Journal : RefreshingPage
{
    private static readonly string[] SimulatorChoices = ["", Stats.Simulators.Processor, Stats.Simulators.Bureau];
    private static readonly string[] OperationChoices = ["", .. Settings.ProcessorOperations.All, "creditReport"];
    private static readonly int[] LimitChoices = [50, 100, 200, 500];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private JournalPage? journalPage;
    private IQueryable<JournalEntry> rows = Enumerable.Empty<JournalEntry>().AsQueryable();
    private string simulator = "";
    private string operation = "";
    private string outcome = "";
    private int limit = 50;
    private bool follow = true;
    private string? replayMessage;
    private MessageBarIntent replayIntent = MessageBarIntent.Info;

    [Inject] private JournalStore Store { get; set; } = default!;

    [Inject] private JournalReplayer Replayer { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected override TimeSpan RefreshEvery => TimeSpan.FromSeconds(2);

    protected override bool ShouldRefresh => follow;

    private JournalFilter Filter => JournalApi.Filter(simulator, operation, outcome);

    private string ExportUrl =>
        "/sim/v1/journal/export?" + string.Join("&", new[] { ("simulator", simulator), ("operation", operation), ("outcome", outcome) }
            .Where(p => p.Item2.Length > 0).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));

    protected override async Task ReadAsync(CancellationToken cancellationToken)
    {
        journalPage = await Store.ListAsync(Filter, limit, cancellationToken);
        rows = journalPage.Entries.AsQueryable();
    }

    private async Task ApplyAsync(Action change)
    {
        change();
        await RefreshAsync();
    }

    private async Task ReplayAsync(JournalEntry entry)
    {
        var result = await Replayer.ReplayAsync(entry.Id, keepIdempotencyKey: false, PageClosing);
        (replayIntent, replayMessage) = result switch
        {
            ReplayOutcome.Replayed { Answer: var a } => (MessageBarIntent.Success,
                $"{entry.Simulator}-sim answered {a.Status}{(a.Outcome is { } o && o != a.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) ? $" ({o})" : "")}; the new entry is at the top."),
            ReplayOutcome.NotReplayable no => (MessageBarIntent.Warning, no.Reason),
            _ => (MessageBarIntent.Warning, "That entry is no longer in the journal."),
        };
        await RefreshAsync();
    }

    private static string Pretty(JsonElement body) => JsonSerializer.Serialize(body, Indented);
}
