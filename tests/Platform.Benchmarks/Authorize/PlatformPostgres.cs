using System.Globalization;
using Npgsql;

namespace Platform.Benchmarks.Authorize;

/// <summary>
/// Finds the PostgreSQL the running stack uses, so the INSERT ceiling hits the same server as the API.
/// In order: <c>--postgres</c>; the local-mode data folder (the AppHost's LocalDataDirectory: /var/lib/card-platform
/// as root, else $XDG_DATA_HOME/card-platform, or <c>--data-directory</c>), where the live server's port is in
/// postgres/data/postmaster.pid and its password in credentials/postgres-password; last, the
/// <c>ConnectionStrings__platform</c> variable of a running Platform.Api process (container mode, or a data folder
/// this account cannot read).
/// </summary>
/// <remarks>
/// The data folder comes first because the port is per run (the AppHost picks a free one) and postmaster.pid is the
/// one record of it that disappears when the server stops; an API process may be a test's, beside the stack.
/// </remarks>
internal static class PlatformPostgres
{
    // Platform.AppHost's PlatformComposition.DatabaseName and LocalPostgresResource.UserName; the host project cannot
    // be referenced from here.
    private const string DatabaseName = "platform";
    private const string UserName = "postgres";

    public sealed record Found(string ConnectionString, string Source)
    {
        public string Redacted => PlatformPostgres.Redacted(ConnectionString);
    }

    public static Found Discover(string? given, string? dataDirectory)
    {
        if (given is not null) return new Found(given, "--postgres");
        var root = dataDirectory ?? DefaultDataDirectory();
        var fromFolder = FromDataDirectory(root);
        if (fromFolder is not null) return new Found(fromFolder, $"{root}: postgres/data/postmaster.pid + credentials/postgres-password");
        var fromProcess = FromApiProcess();
        if (fromProcess is not null) return new Found(fromProcess.Value.ConnectionString, $"environment of Platform.Api process {fromProcess.Value.Pid}");
        throw new InvalidOperationException(
            $"No running local-mode PostgreSQL under {root} and no single Platform.Api process with ConnectionStrings__platform; pass --postgres \"<connection string>\".");
    }

    public static string Redacted(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.Password)) builder.Password = "***";
        return builder.ConnectionString;
    }

    private static string DefaultDataDirectory()
    {
        // As LocalDataDirectory decides it: PostgreSQL runs as the postgres user, which cannot traverse /root.
        if (Environment.UserName == "root") return "/var/lib/card-platform";
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome)) dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "card-platform");
    }

    private static string? FromDataDirectory(string root)
    {
        try
        {
            // postmaster.pid: pid, data folder, start time, port, ... A stale file (server killed) names a dead pid.
            var lines = File.ReadAllLines(Path.Combine(root, "postgres", "data", "postmaster.pid"));
            if (lines.Length < 4 || !int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid) || !Directory.Exists($"/proc/{pid}")) return null;
            if (!int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port)) return null;
            var password = File.ReadAllText(Path.Combine(root, "credentials", "postgres-password")).Trim();
            return new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = port, Username = UserName, Password = password, Database = DatabaseName,
            }.ConnectionString;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (string ConnectionString, int Pid)? FromApiProcess()
    {
        var found = ApiProcesses.Running()
            .Where(p => p.Environment.ContainsKey("ConnectionStrings__platform"))
            .Select(p => (p.Environment["ConnectionStrings__platform"], p.Pid))
            .ToList();
        // Replicas share one connection string; two different ones mean two stacks, and guessing would mislead.
        return found.Select(f => f.Item1).Distinct().Count() == 1 ? found[0] : null;
    }
}
