using Platform.Data.Migrations;

namespace Platform.Api.Data;

/// <summary>The API's migrations at start-up, before the web server takes requests.</summary>
internal sealed class DatabaseMigrationHostedService(DatabaseMigrator migrator, ILogger<DatabaseMigrationHostedService> logger)
    : MigrationHostedService(logger)
{
    protected override Task MigrateAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);
}

internal static class DatabaseMigrationServiceCollectionExtensions
{
    public static IServiceCollection AddDatabaseMigrations(this IServiceCollection services)
    {
        services.AddSingleton<DatabaseMigrator>();
        services.AddHostedService<DatabaseMigrationHostedService>();
        return services;
    }
}
