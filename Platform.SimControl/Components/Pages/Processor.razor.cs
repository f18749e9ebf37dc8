using System.Globalization;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Pages;

public partial class Processor : SettingsFormPage<ProcessorSettings>
{
    private string? newCode;

    /// <summary>A row of the decline-code mix: the code and its weight as the form holds them.</summary>
    public sealed record DeclineRow(string Code, double Weight);

    private IQueryable<DeclineRow> DeclineRows =>
        (form?.DeclineCodes ?? []).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new DeclineRow(c.Key, c.Value)).AsQueryable();

    private static readonly IQueryable<string> OperationRows = ProcessorOperations.All.AsQueryable();

    private double WeightTotal => form?.DeclineCodes.Values.Where(w => w > 0).Sum() ?? 0;

    private IEnumerable<string> UnusedCodes =>
        Iso8583ResponseCodes.Declines.Keys.Where(c => form?.DeclineCodes.ContainsKey(c) != true).Order(StringComparer.Ordinal);

    protected override Task<ProcessorSettings> ReadSettingsAsync() => Store.GetProcessorSettingsAsync();

    protected override Task<SettingsUpdateResult<ProcessorSettings>> WriteSettingsAsync(ProcessorSettings settings) =>
        Store.UpdateProcessorSettingsAsync(settings, PanelActor);

    protected override void Normalize(ProcessorSettings settings) =>
        settings.DeclineCodes = new(settings.DeclineCodes.OrderBy(c => c.Key, StringComparer.Ordinal));

    protected override Task LoadAsync() => LoadSettingsAsync();

    protected override async Task OnSettingsChangedAsync(SettingsChangeNotification change)
    {
        if (change.Kind is not (SettingsChangeKinds.Processor or SettingsChangeKinds.Scenario or SettingsChangeKinds.Reset)) return;
        await FollowStoredSettingsAsync();
    }

    private void AddCode()
    {
        if (form is null || string.IsNullOrEmpty(newCode)) return;
        form.DeclineCodes[newCode] = 0.1;
        newCode = null;
    }

    private double Share(double weight) => WeightTotal > 0 && weight > 0 ? weight / WeightTotal : 0;

    private static string Meaning(string code) =>
        Iso8583ResponseCodes.Declines.TryGetValue(code, out var text) ? text : "Unknown code";

    private ProcessorOperationOverrides Override(string operation) =>
        form!.Operations.TryGetValue(operation, out var o) ? o : new ProcessorOperationOverrides();

    private void SetOverride(string operation, Action<ProcessorOperationOverrides> set)
    {
        if (!form!.Operations.TryGetValue(operation, out var o))
        {
            o = new ProcessorOperationOverrides();
            form.Operations[operation] = o;
        }
        set(o);
        if (o is { ApprovalRate: null, ErrorRate: null, TimeoutRate: null, LatencyMs: null, WebhookDelayMs: null, WebhookFailureRate: null })
            form.Operations.Remove(operation);
    }

    /// <summary>A latency override is one object: setting any of its points starts from the inherited ones.</summary>
    private void SetLatency(string operation, Action<LatencyOverride> set) =>
        SetOverride(operation, o =>
        {
            var edit = new LatencyOverride(o.LatencyMs);
            set(edit);
            o.LatencyMs = edit.IsEmpty ? null : new LatencySettings
            {
                Min = edit.Min ?? form!.LatencyMs.Min,
                Median = edit.Median ?? form!.LatencyMs.Median,
                P99 = edit.P99 ?? form!.LatencyMs.P99,
            };
        });

    private static string Inherit(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Inherit(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class LatencyOverride(LatencySettings? l)
    {
        public int? Min { get; set; } = l?.Min;
        public int? Median { get; set; } = l?.Median;
        public int? P99 { get; set; } = l?.P99;
        public bool IsEmpty => Min is null && Median is null && P99 is null;
    }
}
