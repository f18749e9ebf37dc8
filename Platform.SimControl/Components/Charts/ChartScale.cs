using System.Globalization;

namespace Platform.SimControl.Components.Charts;

/// <summary>The geometry the charts share: a plot area inside a fixed view box, a rounded y maximum, relative-time labels.</summary>
internal static class ChartScale
{
    public const double Width = 420;
    public const double Height = 180;
    public const double Left = 40;
    public const double Right = 8;
    public const double Top = 10;
    public const double Bottom = 22;
    public const double PlotWidth = Width - Left - Right;
    public const double PlotHeight = Height - Top - Bottom;

    /// <summary>1, 2 or 5 times a power of ten, at or above <paramref name="max"/>.</summary>
    public static double NiceMaximum(double max)
    {
        if (!(max > 0)) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (step * magnitude >= max) return step * magnitude;
        }
        return 10 * magnitude;
    }

    public static double X(int index, int count) => Left + (count <= 1 ? PlotWidth : PlotWidth * index / (count - 1));

    public static double Y(double value, double max) => Top + PlotHeight - PlotHeight * Math.Clamp(value / max, 0, 1);

    public static string Number(double value) =>
        value >= 1000 ? (value / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : value >= 10 || value == Math.Floor(value) ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("0.#", CultureInfo.InvariantCulture);

    public static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>"−5:00" … "now": how long ago, which reads at a glance and needs no time zone.</summary>
    public static string Ago(int secondsAgo) =>
        secondsAgo <= 0 ? "now" : "−" + (secondsAgo / 60).ToString(CultureInfo.InvariantCulture) + ":" + (secondsAgo % 60).ToString("00", CultureInfo.InvariantCulture);
}
