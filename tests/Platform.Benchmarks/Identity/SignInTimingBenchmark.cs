using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Platform.Benchmarks.Identity;

/// <summary>
/// Whether the sign-up and sign-in endpoints take the same time whatever the address: an attacker timing them must
/// not tell a taken address from a new one, nor an unknown, unconfirmed or locked account from a wrong password. Each
/// sample uses fresh accounts (the per-address rate limit allows ten calls a minute) and the calls of a sample run
/// in a shuffled order; every call, set-up ones too, is paced under the per-client limit (300 a minute). Run against a
/// stack started by the AppHost.
/// </summary>
internal static class SignInTimingBenchmark
{
    private const string Password = "Timing-Passw0rd-1234";

    public static async Task<int> RunAsync(string[] args)
    {
        var url = Text(args, "--url") ?? "http://localhost:5100";
        var samples = int.Parse(Text(args, "--samples") ?? "20", CultureInfo.InvariantCulture);
        using var api = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        var times = new Dictionary<string, List<double>>();
        var random = new Random(7);
        for (var sample = 0; sample < samples; sample++)
        {
            var unconfirmed = Address("unconfirmed");
            var locked = Address("locked");
            await PacedAsync(api, "/v1/auth/register", new { email = unconfirmed, password = Password });
            await PacedAsync(api, "/v1/auth/register", new { email = locked, password = Password });
            for (var i = 0; i < 5; i++) await PacedAsync(api, "/v1/auth/login", new { email = locked, password = "wrong-password-123" });

            var calls = new (string Name, string Path, object Body)[]
            {
                ("register new address", "/v1/auth/register", new { email = Address("new"), password = Password }),
                ("register taken address", "/v1/auth/register", new { email = unconfirmed, password = Password }),
                ("login unknown address", "/v1/auth/login", new { email = Address("unknown"), password = Password }),
                ("login unconfirmed account", "/v1/auth/login", new { email = unconfirmed, password = Password }),
                ("login wrong password", "/v1/auth/login", new { email = unconfirmed, password = "wrong-password-123" }),
                ("login locked account", "/v1/auth/login", new { email = locked, password = Password }),
                ("resend unconfirmed account", "/v1/auth/resendConfirmationEmail", new { email = unconfirmed }),
                ("resend unknown address", "/v1/auth/resendConfirmationEmail", new { email = Address("unknown") }),
                ("forgot known address", "/v1/auth/forgotPassword", new { email = unconfirmed }),
                ("forgot unknown address", "/v1/auth/forgotPassword", new { email = Address("unknown") }),
            };
            foreach (var (name, path, body) in calls.OrderBy(_ => random.Next()))
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await api.PostAsJsonAsync(path, body);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if ((int)response.StatusCode == 429) throw new InvalidOperationException("Rate limited: run with fewer samples or wait a minute.");
                (times.TryGetValue(name, out var list) ? list : times[name] = []).Add(elapsed);
                await Task.Delay(CallSpacing);
            }
        }
        Console.WriteLine($"sign-in timing against {url}, {samples} samples each, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var (name, list) in times)
        {
            list.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-28} p50 {list[list.Count / 2],7:0.0} ms   p90 {list[(int)(list.Count * 0.9)],7:0.0} ms"));
        }
        return 0;
    }

    private static readonly TimeSpan CallSpacing = TimeSpan.FromMilliseconds(250);

    private static async Task PacedAsync(HttpClient api, string path, object body)
    {
        using var response = await api.PostAsJsonAsync(path, body);
        if ((int)response.StatusCode == 429) throw new InvalidOperationException("Rate limited: wait a minute and run again.");
        await Task.Delay(CallSpacing);
    }

    private static string Address(string kind) => $"timing-{kind}-{Guid.NewGuid():N}@example.com";

    private static string? Text(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
