using Npgsql;
using Platform.Testing;

namespace Platform.Data.Queues.Tests;

/// <summary>One real PostgreSQL for the queue tests; each test class gets its own database.</summary>
public sealed class QueueDatabase : IAsyncLifetime
{
    private LocalPostgresServer? server;

    public LocalPostgresServer Server => server ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync() => server = await LocalPostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }

    /// <summary>A fresh database holding <paramref name="ddl"/>.</summary>
    public async Task<NpgsqlDataSource> CreateAsync(string ddl)
    {
        var dataSource = NpgsqlDataSource.Create(await Server.CreateDatabaseAsync("queue"));
        await using var command = dataSource.CreateCommand(ddl);
        await command.ExecuteNonQueryAsync();
        return dataSource;
    }
}

[CollectionDefinition(Name)]
public sealed class QueueDatabaseCollection : ICollectionFixture<QueueDatabase>
{
    public const string Name = "queue database";
}

/// <summary>A clock the test moves, so a lease or a backoff runs out without waiting for it.</summary>
internal sealed class MovableClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
