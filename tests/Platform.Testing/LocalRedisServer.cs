using System.Globalization;
using StackExchange.Redis;
using Platform.AppHost.LocalInfrastructure;

namespace Platform.Testing;

/// <summary>A throwaway Redis server on a free loopback port, with no persistence.</summary>
public sealed class LocalRedisServer : IAsyncDisposable
{
    private const string Password = "platform-tests";
    private readonly System.Diagnostics.Process process;
    private readonly string root;

    private LocalRedisServer(System.Diagnostics.Process process, string root, int port)
    {
        this.process = process;
        this.root = root;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},password={Password},abortConnect=false";

    public static async Task<LocalRedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var redisServer = LocalBinaries.FindOnPath("redis-server")
            ?? throw new InvalidOperationException("redis-server not found: apt-get install -y redis-server");
        var root = Directory.CreateTempSubdirectory("platform-redis-").FullName;
        var port = FreePort.Next();
        var process = ServerProcess.Start(redisServer, [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", root,
            "--save", "", "--appendonly", "no", "--requirepass", Password]);
        var server = new LocalRedisServer(process, root, port);
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

    /// <summary>Empties every database, for tests that need a clean slate.</summary>
    public async Task FlushAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
        foreach (var endpoint in connection.GetEndPoints())
        {
            await connection.GetServer(endpoint).FlushAllDatabasesAsync();
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode}: {ServerProcess.Output(process)}");
            }
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",connectTimeout=500");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ServerProcess.StopAsync(process);
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
