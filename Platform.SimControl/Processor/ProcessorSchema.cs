using Npgsql;
using Platform.Data.Migrations;

namespace Platform.SimControl.Processor;

/// <summary>
/// processor-sim's own tables, in its own schema (<c>processor_sim</c>, journal <c>processor_sim.schema_migrations</c>):
/// the scripts under Processor/Migrations, applied at start by the runner the API uses too.
/// </summary>
internal sealed class ProcessorSchema(NpgsqlDataSource dataSource, ILoggerFactory loggers)
    : MigrationHostedService(loggers.CreateLogger<ProcessorSchema>())
{
    // The key the earlier start-up DDL locked with (transaction-level), so an instance still running that code and a
    // new one starting beside it take turns rather than race on CREATE ... IF NOT EXISTS.
    private const long LockKey = 727001;

    public static SqlMigrationSet Migrations { get; } = SqlMigrationSet.FromEmbeddedResources(
        "processor-sim", typeof(ProcessorSchema).Assembly, "ProcessorMigrations.", journalSchema: "processor_sim", LockKey);

    protected override Task MigrateAsync(CancellationToken cancellationToken) =>
        new SqlMigrator(dataSource, loggers.CreateLogger<SqlMigrator>()).MigrateAsync(Migrations, cancellationToken);
}
