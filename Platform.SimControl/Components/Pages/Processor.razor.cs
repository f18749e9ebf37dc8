using System.Globalization;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Pages;

public partial class Processor : StoreSubscriberPage
{
    private ProcessorSettings? current;
    private ProcessorSettings? form;
    private long? savedVersion;
    private string? changedElsewhere;
    private string? newCode;
    private bool saving;

    private bool IsDirty => current is not null && form is not null && !SameValues(current, form);

    private double WeightTotal => form?.DeclineCodes.Values.Where(w => w > 0).Sum() ?? 0;

    private IEnumerable<string> UnusedCodes =>
        Iso8583ResponseCodes.Declines.Keys.Where(c => form?.DeclineCodes.ContainsKey(c) != true).Order(StringComparer.Ordinal);

    protected override async Task LoadAsync()
    {
        current = await Store.GetProcessorSettingsAsync();
        form = current.Clone();
        changedElsewhere = null;
    }

    protected override async Task OnSettingsChangedAsync(SettingsChangeNotification change)
    {
        if (change.Kind is not (SettingsChangeKinds.Processor or SettingsChangeKinds.Scenario or SettingsChangeKinds.Reset)) return;
        var latest = await Store.GetProcessorSettingsAsync();
        if (current is not null && latest.Version == current.Version) return;
        if (IsDirty)
        {
            // Never overwrite what the user is typing; say that the stored values moved on.
            current = latest;
            changedElsewhere = $"Version {latest.Version} was saved by {latest.UpdatedBy ?? "someone"} at {latest.UpdatedAt:HH:mm:ss}";
            return;
        }
        current = latest;
        form = latest.Clone();
        savedVersion = null;
    }

    private async Task LoadLatest()
    {
        await LoadAsync();
        errors = new Dictionary<string, string[]>();
        savedVersion = null;
    }

    private async Task SaveAsync()
    {
        if (form is null) return;
        saving = true;
        try
        {
            var result = await Store.UpdateProcessorSettingsAsync(form.Clone(), PanelActor);
            errors = result.Errors;
            if (result.Succeeded && result.Value is { } stored)
            {
                current = stored;
                form = stored.Clone();
                savedVersion = stored.Version;
                changedElsewhere = null;
            }
            else
            {
                savedVersion = null;
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            // The store is unreachable or contended: say so and keep the form as typed.
            errors = new Dictionary<string, string[]> { ["store"] = [$"Could not save: {ex.Message}"] };
            savedVersion = null;
        }
        finally
        {
            saving = false;
        }
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

    private static bool SameValues(ProcessorSettings a, ProcessorSettings b)
    {
        // Compare what QA edits, not the store's bookkeeping.
        var x = a.Clone();
        var y = b.Clone();
        x.Version = y.Version = 0;
        x.UpdatedAt = y.UpdatedAt = null;
        x.UpdatedBy = y.UpdatedBy = null;
        x.DeclineCodes = new(x.DeclineCodes.OrderBy(c => c.Key, StringComparer.Ordinal));
        y.DeclineCodes = new(y.DeclineCodes.OrderBy(c => c.Key, StringComparer.Ordinal));
        return SettingsJson.Serialize(x) == SettingsJson.Serialize(y);
    }

    private sealed class LatencyOverride(LatencySettings? l)
    {
        public int? Min { get; set; } = l?.Min;
        public int? Median { get; set; } = l?.Median;
        public int? P99 { get; set; } = l?.P99;
        public bool IsEmpty => Min is null && Median is null && P99 is null;
    }
}
