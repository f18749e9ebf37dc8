using Platform.Testing;
using StackExchange.Redis;

namespace Platform.Fraud.Tests;

/// <summary>One throwaway Redis server for every test class in the collection.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private LocalRedisServer? server;
    private ConnectionMultiplexer? connection;

    public LocalRedisServer Server => server ?? throw new InvalidOperationException("Fixture not started.");

    public IConnectionMultiplexer Connection => connection ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync()
    {
        server = await LocalRedisServer.StartAsync();
        connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
