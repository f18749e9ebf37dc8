using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace Platform.AppHost.LocalInfrastructure;

internal static class LocalInfrastructureBuilderExtensions
{
    public const string SharedBuffersKey = "LocalInfrastructure:PostgresSharedBuffers";

    /// <summary>
    /// PostgreSQL's own default is 128 MB. Once the benchmark's data had grown to 4.7 GB, its hot indexes on random keys
    /// no longer fitted: in one open-loop run at 250–400 authorizations/s, backends wrote 197 k dirty buffers themselves
    /// and read 177 k from the OS. At 1 GB they wrote 23 k and read 36 k, and 250/s went from 40 % to 9 % declined 91.
    /// </summary>
    public const string DefaultSharedBuffers = "1GB";

    /// <summary>
    /// Adds a PostgreSQL server whose data lives in <paramref name="dataDirectory"/>. The cluster and the database are
    /// created before the first start (single-user mode needs no running server), and kept across runs.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string databaseName, LocalBinaries binaries, LocalDataDirectory dataDirectory)
    {
        var passwordValue = dataDirectory.GetOrCreateSecret("postgres-password");
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);
        var port = PortOrFree(builder.Configuration["LocalInfrastructure:PostgresPort"]);
        var postgres = binaries.PostgresProgram("postgres");
        var (command, prefix) = LocalServerUser.AsPostgresUser(postgres);

        var resource = new LocalPostgresResource(name, command, password.Resource, databaseName);
        var healthCheckKey = $"{name}-ready";
        var adminConnectionString =
            $"Host=127.0.0.1;Port={port};Username={LocalPostgresResource.UserName};Password={passwordValue};Database={databaseName};Timeout=3;Pooling=false";
        // A real query, not a port probe: Postgres opens its port while still answering "57P03 starting up".
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new SqlQueryHealthCheck(adminConnectionString), failureStatus: null, tags: null));

        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            EnsurePostgresCluster(binaries, dataDirectory.PostgresData, passwordValue, databaseName);
            return Task.CompletedTask;
        });

        return builder.AddResource(resource)
            .WithEndpoint(LocalPostgresResource.EndpointName, endpoint =>
            {
                endpoint.UriScheme = "tcp";
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
            })
            .WithArgs([
                .. prefix,
                "-D", dataDirectory.PostgresData,
                "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1",
                // No socket folder: /var/run/postgresql may not exist or be writable for this account.
                "-c", "unix_socket_directories=",
                "-c", "max_connections=300",
                "-c", $"shared_buffers={builder.Configuration[SharedBuffersKey] ?? DefaultSharedBuffers}",
            ])
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database");
    }

    /// <summary>Adds a Redis server with append-only persistence in <paramref name="dataDirectory"/>.</summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalDataDirectory dataDirectory)
    {
        var passwordValue = dataDirectory.GetOrCreateSecret("redis-password");
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);
        var port = PortOrFree(builder.Configuration["LocalInfrastructure:RedisPort"]);
        Directory.CreateDirectory(dataDirectory.RedisData);

        var resource = new LocalRedisResource(name, binaries.RedisServer!, password.Resource);
        var healthCheckKey = $"{name}-ready";
        var connectionString = $"127.0.0.1:{port},password={passwordValue},abortConnect=false,connectTimeout=2000";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new RedisPingHealthCheck(connectionString), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithEndpoint(LocalRedisResource.EndpointName, endpoint =>
            {
                endpoint.UriScheme = "tcp";
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
            })
            .WithArgs(
                "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--dir", dataDirectory.RedisData,
                "--appendonly", "yes",
                // The append-only file is the durable record. Snapshots on top of it rewrote the whole data set (tens
                // of MB of fraud velocity) every minute under load; compressing it was a quarter of Redis's CPU in a
                // perf profile of a 250/s run.
                "--save", "",
                "--requirepass", passwordValue)
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Memory");
    }

    private static void EnsurePostgresCluster(LocalBinaries binaries, string dataPath, string password, string databaseName)
    {
        if (File.Exists(Path.Combine(dataPath, "PG_VERSION")))
        {
            return;
        }

        // A folder without PG_VERSION is a half-made cluster from an interrupted first start: begin again.
        if (Directory.Exists(dataPath))
        {
            Directory.Delete(dataPath, recursive: true);
        }
        var clusterParent = Path.GetDirectoryName(dataPath)!;
        Directory.CreateDirectory(clusterParent);
        var passwordFile = Path.Combine(clusterParent, ".initdb-password");
        File.WriteAllText(passwordFile, password);
        LocalServerUser.GiveToPostgres(clusterParent);
        try
        {
            var (initdb, initdbArgs) = LocalServerUser.AsPostgresUser(binaries.PostgresProgram("initdb"),
                "-D", dataPath, "-U", LocalPostgresResource.UserName, "--pwfile", passwordFile,
                "--auth", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync");
            LocalServerUser.Run(initdb, initdbArgs, standardInput: null);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        var (single, singleArgs) = LocalServerUser.AsPostgresUser(binaries.PostgresProgram("postgres"),
            "--single", "-D", dataPath, "-c", "unix_socket_directories=", "postgres");
        LocalServerUser.Run(single, singleArgs, standardInput: $"CREATE DATABASE \"{databaseName}\"\n");
    }

    /// <summary>A configured port, or one the OS says is free right now.</summary>
    private static int PortOrFree(string? configured)
    {
        if (int.TryParse(configured, out var port) && port > 0)
        {
            return port;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class SqlQueryHealthCheck(string connectionString) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }

    private sealed class RedisPingHealthCheck(string connectionString) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(connectionString);
                await connection.GetDatabase().PingAsync();
                return connection.IsConnected ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Not connected.");
            }
            catch (RedisException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }
    }
}
