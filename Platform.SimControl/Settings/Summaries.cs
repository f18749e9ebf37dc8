using System.Text.Json;

namespace Platform.SimControl.Settings;

/// <summary>One-line descriptions of changes for the history list ("approvalRate 0.95 → 0").</summary>
internal static class Summaries
{
    private static readonly HashSet<string> Bookkeeping = ["version", "updatedAt", "updatedBy"];

    public static string Diff<T>(T before, T after)
    {
        var changes = new List<string>();
        Walk("", SettingsJson.ToElement(before), SettingsJson.ToElement(after), changes);
        return changes.Count == 0 ? "no change" : string.Join("; ", changes.Take(12)) + (changes.Count > 12 ? $"; … {changes.Count - 12} more" : "");
    }

    public static string Flags(BureauFlags flags)
    {
        var set = new List<string>();
        if (flags.NoHit) set.Add("noHit");
        if (flags.ThinFile) set.Add("thinFile");
        if (flags.Frozen) set.Add("frozen");
        if (flags.FraudAlert) set.Add("fraudAlert");
        if (flags.RecentBankruptcy) set.Add("recentBankruptcy");
        if (flags.Deceased) set.Add("deceased");
        return set.Count == 0 ? "none" : string.Join(", ", set);
    }

    private static void Walk(string path, JsonElement before, JsonElement after, List<string> changes)
    {
        if (before.ValueKind == JsonValueKind.Object && after.ValueKind == JsonValueKind.Object)
        {
            var names = before.EnumerateObject().Select(p => p.Name).Union(after.EnumerateObject().Select(p => p.Name));
            foreach (var name in names)
            {
                if (path.Length == 0 && Bookkeeping.Contains(name)) continue;
                var b = before.TryGetProperty(name, out var bv) ? bv : default;
                var a = after.TryGetProperty(name, out var av) ? av : default;
                Walk(path.Length == 0 ? name : path + "." + name, b, a, changes);
            }
            return;
        }
        var bt = Text(before);
        var at = Text(after);
        if (bt != at) changes.Add($"{path} {bt} → {at}");
    }

    private static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Undefined => "(none)",
        JsonValueKind.String => e.GetString() ?? "",
        _ => e.GetRawText(),
    };
}
