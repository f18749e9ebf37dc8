using System.Security.Cryptography;

namespace Platform.AppHost.LocalInfrastructure;

/// <summary>
/// The folder that holds the local servers' data between runs. As root it is /var/lib/card-platform, because
/// PostgreSQL runs as the postgres user and cannot traverse /root; otherwise it is under the user's XDG data home.
/// LocalInfrastructure:DataDirectory overrides it; LocalInfrastructure:Wipe=true empties it before start.
/// </summary>
internal sealed class LocalDataDirectory
{
    public const string DirectoryKey = "LocalInfrastructure:DataDirectory";
    public const string WipeKey = "LocalInfrastructure:Wipe";

    private LocalDataDirectory(string root) => Root = root;

    public string Root { get; }
    public string PostgresData => Path.Combine(Root, "postgres", "data");
    public string RedisData => Path.Combine(Root, "redis");
    private string CredentialsDirectory => Path.Combine(Root, "credentials");

    public static LocalDataDirectory Resolve(string? configured, bool wipe)
    {
        var root = Path.GetFullPath(configured ?? DefaultRoot());
        if (wipe && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows())
        {
            // Traversable by the postgres user; the data folders below it carry their own, tighter modes.
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        return new LocalDataDirectory(root);
    }

    /// <summary>
    /// A password made on first use and kept beside the data it protects, so that a restarted server and the data
    /// it already has agree. Never in the repository; readable by the owner only.
    /// </summary>
    public string GetOrCreateSecret(string name)
    {
        Directory.CreateDirectory(CredentialsDirectory);
        var path = Path.Combine(CredentialsDirectory, name);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(CredentialsDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return secret;
    }

    private static string DefaultRoot()
    {
        if (LocalServerUser.IsRoot)
        {
            return "/var/lib/card-platform";
        }
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }
        return Path.Combine(dataHome, "card-platform");
    }
}
