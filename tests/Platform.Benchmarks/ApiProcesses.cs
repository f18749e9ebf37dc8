using System.Globalization;

namespace Platform.Benchmarks;

/// <summary>
/// The running Platform.Api processes and their environments: where the AppHost put what the benchmarks need to
/// reach the same stack (its database, its operator), so nothing has to be copied by hand.
/// </summary>
internal static class ApiProcesses
{
    public static IEnumerable<(int Pid, IReadOnlyDictionary<string, string> Environment)> Running()
    {
        if (!Directory.Exists("/proc")) yield break;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid)) continue;
            Dictionary<string, string>? environment = null;
            try
            {
                if (File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0').Any(a => Path.GetFileName(a) is "Platform.Api" or "Platform.Api.dll"))
                {
                    environment = File.ReadAllText(Path.Combine(folder, "environ")).Split('\0')
                        .Where(v => v.Contains('='))
                        .GroupBy(v => v[..v.IndexOf('=')], StringComparer.Ordinal)
                        .ToDictionary(g => g.Key, g => g.First()[(g.Key.Length + 1)..], StringComparer.Ordinal);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone since the listing, or another user's.
            }
            if (environment is not null) yield return (pid, environment);
        }
    }
}
