namespace Platform.SimControl.Components.Charts;

/// <summary>One line of a line chart: a value per second, oldest first.</summary>
public sealed record ChartLine(string Name, IReadOnlyList<double> Values, string Color, bool Dashed = false);

/// <summary>One category of a stacked bar chart (an outcome), with its value per second, oldest first.</summary>
public sealed record ChartStack(string Name, string Label, IReadOnlyList<double> Values, string Color);
