using System.Globalization;
using Microsoft.AspNetCore.Components;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Stats;
using Platform.SimControl.Traffic;

namespace Platform.SimControl.Components.Pages;

public partial class Live : RefreshingPage
{
    private static readonly int[] WindowChoices = [300, 600, 900];

    private SimulatorStatsSnapshot? snapshot;
    private LiveSeriesSnapshot? series;
    private IQueryable<OperationStats> rows = Enumerable.Empty<OperationStats>().AsQueryable();
    private int windowSeconds = 300;

    [Inject] private ISimulatorStatsService Stats { get; set; } = default!;

    [Inject] private SecondSeriesReader Series { get; set; } = default!;

    protected override async Task ReadAsync(CancellationToken cancellationToken)
    {
        snapshot = await Stats.GetSnapshotAsync(cancellationToken);
        series = await Series.GetAsync(windowSeconds, cancellationToken);
        rows = snapshot.Operations.OrderBy(o => o.Simulator, StringComparer.Ordinal).ThenBy(o => o.Operation, StringComparer.Ordinal).AsQueryable();
    }

    private async Task ChangeWindowAsync(int seconds)
    {
        windowSeconds = seconds;
        await RefreshAsync();
    }

    private sealed record Section(string Key, string Title, string Description, IReadOnlyList<SecondPoint> Points);

    /// <summary>The API's authorizations as the traffic generator saw them, then each simulator's requests (all operations).</summary>
    private IEnumerable<Section> Sections
    {
        get
        {
            if (series is null) yield break;
            yield return new("api", "API authorizations", "POST /v1/authorizations as the traffic generator sent and timed them, end to end. Start traffic on the Traffic page.",
                Combine(s => s.Source == TrafficLoop.Source && s.Operation == TrafficOperations.Authorize));
            yield return new("processor", "processor-sim", "Every processor-sim request (authorize, capture, refund, void, issue card) as the simulator answered it.",
                Combine(s => s.Source == Simulators.Processor));
            yield return new("bureau", "bureau-sim", "Every credit report request as bureau-sim answered it.",
                Combine(s => s.Source == Simulators.Bureau));
        }
    }

    private IReadOnlyList<SecondPoint> Combine(Func<SecondSeries, bool> include) =>
        SecondSeries.Combine(series!.Series.Where(include).ToList(), series.FromSecond, series.ToSecond);

    private static string Rate(double perSecond) => perSecond.ToString(perSecond < 10 ? "0.0" : "N0", CultureInfo.InvariantCulture);

    private static string Ms(StatsWindow window, double value) =>
        window.Requests == 0 ? "–" : value.ToString("0", CultureInfo.InvariantCulture);
}
