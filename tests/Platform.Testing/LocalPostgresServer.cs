using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Platform.AppHost.LocalInfrastructure;

namespace Platform.Testing;

/// <summary>
/// A throwaway PostgreSQL server: a fresh cluster in a temp folder, on a free loopback port, removed on dispose.
/// Durability settings are off because nothing here must survive a crash, and it makes the suite faster.
/// </summary>
public sealed class LocalPostgresServer : IAsyncDisposable
{
    public const string UserName = "postgres";
    private const string Password = "platform-tests";

    private readonly Process process;
    private readonly string root;

    private LocalPostgresServer(Process process, string root, int port)
    {
        this.process = process;
        this.root = root;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={UserName};Password={Password};Database={database};Timeout=5";

    public static async Task<LocalPostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var binaries = LocalBinaries.Discover(Environment.GetEnvironmentVariable("PLATFORM_TESTS_POSTGRES_BIN"));
        if (binaries.PostgresBinDirectory is null)
        {
            throw new InvalidOperationException("PostgreSQL server programs not found: apt-get install -y postgresql");
        }

        // /tmp, not the test's working folder: the postgres account must be able to traverse the path.
        var root = Directory.CreateTempSubdirectory("platform-pg-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }
        var data = Path.Combine(root, "data");
        var passwordFile = Path.Combine(root, "pw");
        await File.WriteAllTextAsync(passwordFile, Password, cancellationToken);
        LocalServerUser.GiveToPostgres(root);

        var (initdb, initdbArgs) = LocalServerUser.AsPostgresUser(binaries.PostgresProgram("initdb"),
            "-D", data, "-U", UserName, "--pwfile", passwordFile, "--auth", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync");
        await Task.Run(() => LocalServerUser.Run(initdb, initdbArgs, standardInput: null), cancellationToken);

        var port = FreePort.Next();
        var (command, arguments) = LocalServerUser.AsPostgresUser(binaries.PostgresProgram("postgres"),
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300");
        var process = ServerProcess.Start(command, arguments);
        var server = new LocalPostgresServer(process, root, port);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>A new, empty database for one test class, so classes never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with {process.ExitCode}: {ServerProcess.Output(process)}");
            }
            try
            {
                // Pooling off: a pooled connection from a "starting up" attempt must not linger.
                await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ServerProcess.StopAsync(process);
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed by the dying server; the temp folder is cleaned by the OS eventually.
        }
    }
}
