namespace Platform.AppHost.LocalInfrastructure;

/// <summary>Where the OS packages put the PostgreSQL and Redis server programs.</summary>
internal sealed record LocalBinaries(string? PostgresBinDirectory, string? RedisServer)
{
    public bool IsComplete => PostgresBinDirectory is not null && RedisServer is not null;

    public string PostgresProgram(string name) =>
        Path.Combine(PostgresBinDirectory ?? throw new InvalidOperationException("PostgreSQL is not installed."), name);

    public string WhatIsMissing()
    {
        var missing = new List<string>();
        if (PostgresBinDirectory is null) missing.Add("PostgreSQL server (initdb, postgres)");
        if (RedisServer is null) missing.Add("redis-server");
        return missing.Count == 0 ? "nothing is missing." : $"{string.Join(" and ", missing)} not found.";
    }

    /// <param name="configuredPostgresBin">LocalInfrastructure:PostgresBinDirectory, when the default search is not enough.</param>
    public static LocalBinaries Discover(string? configuredPostgresBin)
    {
        var postgresBin = configuredPostgresBin;
        if (postgresBin is null)
        {
            // Debian and Ubuntu keep the server programs off PATH, one folder per major version; the newest wins.
            const string debianRoot = "/usr/lib/postgresql";
            postgresBin = Directory.Exists(debianRoot)
                ? Directory.GetDirectories(debianRoot)
                    .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                    .Where(x => x.Version > 0 && File.Exists(Path.Combine(x.Dir, "bin", "postgres")))
                    .OrderByDescending(x => x.Version)
                    .Select(x => Path.Combine(x.Dir, "bin"))
                    .FirstOrDefault()
                : null;
            postgresBin ??= FindOnPath("postgres") is { } onPath ? Path.GetDirectoryName(onPath) : null;
        }

        if (postgresBin is not null && !(File.Exists(Path.Combine(postgresBin, "postgres")) && File.Exists(Path.Combine(postgresBin, "initdb"))))
        {
            postgresBin = null;
        }

        return new LocalBinaries(postgresBin, FindOnPath("redis-server"));
    }

    public static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
