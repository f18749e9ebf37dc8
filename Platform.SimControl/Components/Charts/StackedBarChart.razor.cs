using Microsoft.AspNetCore.Components;

namespace Platform.SimControl.Components.Charts;

public partial class StackedBarChart : ComponentBase
{
    /// <summary>At most this many bars across: a wider window groups seconds, so no bar is thinner than a few pixels.</summary>
    private const int MaxBars = 120;

    [Parameter, EditorRequired] public string Title { get; set; } = "";

    /// <summary>Bottom to top, in the order given.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<ChartStack> Stacks { get; set; } = [];

    [Parameter] public string? TestId { get; set; }

    [Parameter] public string EmptyText { get; set; } = "No answers in this window";

    private sealed record Segment(double Y, double Height, string Color);

    private sealed record Bar(double X, double Width, IReadOnlyList<Segment> Segments);

    private int Count => Stacks.Count == 0 ? 0 : Stacks.Max(s => s.Values.Count);

    private int SecondsPerBar => Math.Max(1, (int)Math.Ceiling(Count / (double)MaxBars));

    private int BarCount => Count == 0 ? 0 : (int)Math.Ceiling(Count / (double)SecondsPerBar);

    private IEnumerable<ChartStack> Visible => Stacks.Where(s => s.Values.Sum() > 0);

    private double Total => Stacks.Sum(s => s.Values.Sum());

    /// <summary>A bar's height is answers per second, averaged over the seconds it groups.</summary>
    private double[] BarTotals
    {
        get
        {
            var totals = new double[BarCount];
            foreach (var stack in Stacks)
            {
                for (var i = 0; i < stack.Values.Count; i++) totals[i / SecondsPerBar] += stack.Values[i] / SecondsPerBar;
            }
            return totals;
        }
    }

    private double Max => ChartScale.NiceMaximum(BarTotals.DefaultIfEmpty(0).Max() * 1.05);

    private IEnumerable<Bar> Bars
    {
        get
        {
            var max = Max;
            var slot = ChartScale.PlotWidth / Math.Max(1, BarCount);
            var width = Math.Max(1, slot * 0.8);
            for (var b = 0; b < BarCount; b++)
            {
                var segments = new List<Segment>();
                var bottom = ChartScale.Top + ChartScale.PlotHeight;
                foreach (var stack in Stacks)
                {
                    double value = 0;
                    for (var i = b * SecondsPerBar; i < Math.Min(stack.Values.Count, (b + 1) * SecondsPerBar); i++) value += stack.Values[i];
                    value /= SecondsPerBar;
                    if (value <= 0) continue;
                    var height = ChartScale.PlotHeight * Math.Clamp(value / max, 0, 1);
                    bottom -= height;
                    segments.Add(new Segment(bottom, height, stack.Color));
                }
                if (segments.Count > 0) yield return new Bar(ChartScale.Left + slot * b + (slot - width) / 2, width, segments);
            }
        }
    }

    private string Summary =>
        Total <= 0
            ? $"{Title}: {EmptyText.ToLowerInvariant()}."
            : $"{Title} over the last {LineChart.Minutes(Count)}, {ChartScale.Number(Total)} in all: "
              + string.Join("; ", Visible.OrderByDescending(s => s.Values.Sum()).Select(s => $"{s.Label} {ChartScale.Number(s.Values.Sum())}")) + ".";
}
