using Npgsql;

namespace Platform.Api.Data;

/// <summary>
/// Runs the migrations before the web server starts taking requests: hosted services start ahead of the server,
/// so no request ever sees a half-built schema.
/// </summary>
internal sealed partial class DatabaseMigrationHostedService(DatabaseMigrator migrator, ILogger<DatabaseMigrationHostedService> logger)
    : IHostedService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxAttempts = 30;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < MaxAttempts)
            {
                // The database may still be starting when a replica comes up before it is ready.
                LogRetrying(logger, attempt, ex.Message);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable for migrations (attempt {Attempt}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
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
