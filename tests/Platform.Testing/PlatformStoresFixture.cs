using Xunit;

namespace Platform.Testing;

/// <summary>
/// One real PostgreSQL and one real Redis for a test collection. Share it with
/// <c>[CollectionDefinition] class X : ICollectionFixture&lt;PlatformStoresFixture&gt;</c>; starting servers per class is slow on two cores.
/// </summary>
public sealed class PlatformStoresFixture : IAsyncLifetime
{
    private LocalPostgresServer? postgres;
    private LocalRedisServer? redis;

    public LocalPostgresServer Postgres => postgres ?? throw new InvalidOperationException("Fixture not started.");
    public LocalRedisServer Redis => redis ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync()
    {
        var startPostgres = LocalPostgresServer.StartAsync();
        var startRedis = LocalRedisServer.StartAsync();
        postgres = await startPostgres;
        redis = await startRedis;
    }

    public async Task DisposeAsync()
    {
        if (redis is not null) await redis.DisposeAsync();
        if (postgres is not null) await postgres.DisposeAsync();
    }
}
