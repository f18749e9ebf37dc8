using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Data.Migrations;

namespace Platform.Api.Tests.Data;

/// <summary>What both services do at start while their database is not there yet, and when a migration is wrong.</summary>
public sealed class MigrationStartupTests
{
    [Fact]
    public async Task A_database_still_starting_is_waited_for()
    {
        var migrations = new ScriptedMigrations(failuresFirst: 2, () => new NpgsqlException("connection refused", new IOException("refused")));

        await migrations.StartAsync(CancellationToken.None);

        Assert.Equal(3, migrations.Attempts);
    }

    [Fact]
    public async Task A_migration_that_fails_for_another_reason_stops_start_up_at_once()
    {
        var migrations = new ScriptedMigrations(failuresFirst: 5, () => new InvalidOperationException("Migration 1 'core' was changed after it was applied."));

        await Assert.ThrowsAsync<InvalidOperationException>(() => migrations.StartAsync(CancellationToken.None));

        Assert.Equal(1, migrations.Attempts);
    }

    private sealed class ScriptedMigrations(int failuresFirst, Func<Exception> failure) : MigrationHostedService(NullLogger.Instance)
    {
        public int Attempts { get; private set; }

        protected override Task MigrateAsync(CancellationToken cancellationToken) =>
            ++Attempts <= failuresFirst ? Task.FromException(failure()) : Task.CompletedTask;
    }
}
