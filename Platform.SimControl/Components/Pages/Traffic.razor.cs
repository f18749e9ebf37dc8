using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Stats;
using Platform.SimControl.Traffic;

namespace Platform.SimControl.Components.Pages;

public partial class Traffic : RefreshingPage
{
    private const int WindowSeconds = 300;

    private TrafficStatus status = TrafficStatus.Idle;
    private IReadOnlyList<SecondPoint> points = [];
    private TrafficForm form = new();
    private IReadOnlyDictionary<string, string[]> errors = new Dictionary<string, string[]>();
    private string? problem;
    private bool starting;

    [Inject] private TrafficGenerator Generator { get; set; } = default!;

    [Inject] private SecondSeriesReader Series { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        form = TrafficForm.Defaults(Generator.Options.DefaultCards);
        await base.OnInitializedAsync();
    }

    protected override async Task ReadAsync(CancellationToken cancellationToken)
    {
        status = await Generator.GetStatusAsync(cancellationToken);
        var series = await Series.GetAsync(WindowSeconds, cancellationToken);
        points = SecondSeries.Combine(series.Series.Where(s => s.Source == TrafficLoop.Source).ToList(), series.FromSecond, series.ToSecond);
    }

    private async Task StartAsync()
    {
        starting = true;
        try
        {
            var result = await Generator.StartAsync(form.ToRequest(), PageClosing);
            (problem, errors) = result switch
            {
                TrafficStartResult.Started => ((string?)null, new Dictionary<string, string[]>()),
                TrafficStartResult.Invalid invalid => ("Some settings are out of bounds.", invalid.Errors),
                TrafficStartResult.AlreadyRunning running => ($"Run {running.Status.RunId} is already {running.Status.State}; stop it first.", []),
                TrafficStartResult.NotConfigured not => (not.Reason, []),
                TrafficStartResult.SignInFailed failed => ("Could not sign in to the platform API: " + failed.Reason, []),
                _ => ("Unexpected answer.", []),
            };
            await RefreshAsync();
        }
        finally
        {
            starting = false;
        }
    }

    private async Task StopAsync()
    {
        await Generator.StopAsync(PageClosing);
        await RefreshAsync();
    }

    private string? Error(string field) => errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private MessageState? State(string field) => errors.ContainsKey(field) ? MessageState.Error : null;

    private int Progress => status.RunningSince is { } since && status.Plan is { } plan
        ? (int)Math.Clamp(1000 * (Time.GetUtcNow() - since).TotalSeconds / plan.DurationSeconds, 0, 1000)
        : 0;

    private BadgeColor StateColor => status.State switch
    {
        TrafficStates.Running => BadgeColor.Success,
        TrafficStates.Preparing => BadgeColor.Informative,
        TrafficStates.Failed => BadgeColor.Danger,
        TrafficStates.Stopped => BadgeColor.Warning,
        _ => BadgeColor.Subtle,
    };

    private static string Number(double value) => value.ToString(value < 10 ? "0.#" : "N0", CultureInfo.InvariantCulture);

    public sealed class MerchantRow(int index, TrafficMerchant merchant)
    {
        public int Index { get; } = index;
        public string Name { get; } = merchant.Name;
        public string Mcc { get; } = merchant.Mcc;
        public string Country { get; } = merchant.Country;
        public string Channel { get; } = merchant.Channel ?? "pos";
        public double Weight { get; set; } = merchant.Weight;

        public TrafficMerchant ToMerchant() => new(Name, Mcc, Country, Channel, Weight);
    }

    /// <summary>What the form edits; the generator validates it exactly as it validates the control API's body.</summary>
    private sealed class TrafficForm
    {
        public double RatePerSecond { get; set; } = 20;
        public int DurationSeconds { get; set; } = 60;
        public int Cards { get; set; }
        public long AmountMin { get; set; } = TrafficPlanner.DefaultAmount.Min;
        public long AmountMax { get; set; } = TrafficPlanner.DefaultAmount.Max;
        public double Authorize { get; set; } = 1;
        public double Capture { get; set; }
        public double Void { get; set; }
        public double Refund { get; set; }
        public List<MerchantRow> Merchants { get; } = [.. TrafficPlanner.DefaultMerchants.Select((m, i) => new MerchantRow(i, m))];

        public static TrafficForm Defaults(int cards) => new() { Cards = cards };

        public TrafficRequest ToRequest() => new(RatePerSecond, DurationSeconds, Cards, new AmountRange(AmountMin, AmountMax),
            Merchants.Select(m => m.ToMerchant()).ToList(), new OperationMix(Authorize, Capture, Void, Refund));
    }
}
