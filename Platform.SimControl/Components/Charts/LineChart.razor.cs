using System.Text;
using Microsoft.AspNetCore.Components;

namespace Platform.SimControl.Components.Charts;

/// <summary>Lines over the window; a value that is not a number (a second with nothing to measure) breaks the line.</summary>
public partial class LineChart : ComponentBase
{
    [Parameter, EditorRequired] public string Title { get; set; } = "";

    [Parameter, EditorRequired] public IReadOnlyList<ChartLine> Lines { get; set; } = [];

    /// <summary>Appended to values in the legend and summary ("/s", " ms").</summary>
    [Parameter] public string Unit { get; set; } = "";

    [Parameter] public string? TestId { get; set; }

    [Parameter] public string EmptyText { get; set; } = "No traffic in this window";

    private int Count => Lines.Count == 0 ? 0 : Lines.Max(l => l.Values.Count);

    private double Total => Lines.Sum(l => Measured(l).Sum());

    private double Max => ChartScale.NiceMaximum(Lines.Count == 0 ? 0 : Lines.Max(l => Measured(l).DefaultIfEmpty(0).Max()) * 1.05);

    private static IEnumerable<double> Measured(ChartLine line) => line.Values.Where(double.IsFinite);

    /// <summary>The line as runs of measured seconds, each drawn as its own polyline.</summary>
    private IEnumerable<string> Segments(ChartLine line)
    {
        var text = new StringBuilder();
        var max = Max;
        for (var i = 0; i < line.Values.Count; i++)
        {
            var value = line.Values[i];
            if (!double.IsFinite(value))
            {
                if (text.Length > 0) yield return text.ToString();
                text.Clear();
                continue;
            }
            text.Append(ChartScale.F(ChartScale.X(i, Count))).Append(',').Append(ChartScale.F(ChartScale.Y(value, max))).Append(' ');
        }
        if (text.Length > 0) yield return text.ToString();
    }

    private string Latest(ChartLine line) => Measured(line).Any() ? ChartScale.Number(Measured(line).Last()) + Unit : "–";

    /// <summary>What the picture says, for people who cannot see it: the latest value and the peak of each line.</summary>
    private string Summary =>
        Total <= 0
            ? $"{Title}: {EmptyText.ToLowerInvariant()}."
            : $"{Title} over the last {Minutes(Count)}: " + string.Join("; ", Lines.Select(l =>
                $"{l.Name} now {Latest(l)}, peak {ChartScale.Number(Measured(l).DefaultIfEmpty(0).Max())}{Unit}")) + ".";

    internal static string Minutes(int seconds) => seconds >= 120 ? $"{seconds / 60} minutes" : $"{seconds} seconds";
}
