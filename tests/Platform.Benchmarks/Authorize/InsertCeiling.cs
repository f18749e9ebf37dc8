using System.Diagnostics;
using Npgsql;

namespace Platform.Benchmarks.Authorize;

/// <summary>
/// The most durable writes per second this PostgreSQL takes at a given concurrency: each caller on its own pooled
/// connection, one single-row INSERT per transaction (autocommit), committed with synchronous_commit on, so every
/// operation waits for its WAL flush as an authorization's commits do. An authorization cannot beat this; the ratio
/// says how much of the ceiling the platform's own work leaves.
/// </summary>
/// <remarks>The table lives in its own schema, created here and dropped afterwards, away from the platform's.</remarks>
internal sealed class InsertCeiling : IAsyncDisposable
{
    private const string Insert = "insert into bench.bench_ceiling (payload, created_at) values ($1, now())";

    // About an authorization row's width, so the WAL written per commit is comparable.
    private static readonly string Payload = new('x', 200);

    private readonly NpgsqlDataSource dataSource;

    private InsertCeiling(NpgsqlDataSource dataSource, string conditions)
    {
        this.dataSource = dataSource;
        Conditions = conditions;
    }

    /// <summary>Server version and the settings that decide what a commit waits for.</summary>
    public string Conditions { get; }

    public static async Task<InsertCeiling> CreateAsync(string connectionString, int maxConcurrency)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = true, MinPoolSize = 0, MaxPoolSize = Math.Max(maxConcurrency + 2, 10), ApplicationName = "platform-benchmark-ceiling",
        };
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using (var setup = new NpgsqlCommand("""
                create schema if not exists bench;
                drop table if exists bench.bench_ceiling;
                create table bench.bench_ceiling (id bigserial primary key, payload text not null, created_at timestamptz not null);
                """, connection))
            {
                await setup.ExecuteNonQueryAsync();
            }
            await using var settings = new NpgsqlCommand(
                "select current_setting('server_version'), current_setting('synchronous_commit'), current_setting('fsync'), current_setting('wal_sync_method')",
                connection);
            await using var reader = await settings.ExecuteReaderAsync();
            await reader.ReadAsync();
            var synchronousCommit = reader.GetString(1);
            var fsync = reader.GetString(2);
            // Either off and the ceiling would measure memory, not a durable commit ("local" still flushes this server's WAL).
            if (synchronousCommit == "off" || fsync != "on")
                throw new InvalidOperationException($"Not a durable commit: synchronous_commit={synchronousCommit}, fsync={fsync}.");
            return new InsertCeiling(dataSource,
                $"PostgreSQL {reader.GetString(0)}: synchronous_commit {synchronousCommit}, fsync {fsync}, wal_sync_method {reader.GetString(3)}");
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
    }

    public async Task<LoadResult> RunAsync(int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var failures = new long[concurrency];
        // Connections first, so the timed loop does not include opening them.
        var connections = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => dataSource.OpenConnectionAsync().AsTask()));
        try
        {
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(connections.Select((connection, worker) => Task.Run(async () =>
            {
                var mine = latencies[worker] = new List<double>(200_000);
                await using var command = new NpgsqlCommand(Insert, connection) { Parameters = { new NpgsqlParameter<string> { TypedValue = Payload } } };
                await command.PrepareAsync();
                while (wall.Elapsed < duration)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await command.ExecuteNonQueryAsync();
                        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    catch (NpgsqlException)
                    {
                        failures[worker]++;
                    }
                }
            })));
            wall.Stop();
            var outcomes = new Dictionary<string, long> { ["committed"] = latencies.Sum(l => l.Count) };
            if (failures.Sum() > 0) outcomes["failed"] = failures.Sum();
            return new LoadResult(wall.Elapsed.TotalSeconds, latencies.SelectMany(l => l).ToList(), outcomes);
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using (var dropTable = new NpgsqlCommand("drop table if exists bench.bench_ceiling", connection))
            {
                await dropTable.ExecuteNonQueryAsync();
            }
            // Restrict, not cascade: if anyone else put something in bench, it stays, and so does the schema.
            await using var dropSchema = new NpgsqlCommand("drop schema if exists bench", connection);
            try
            {
                await dropSchema.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
            {
            }
        }
        finally
        {
            await dataSource.DisposeAsync();
        }
    }
}
