using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Platform.Data.Migrations;

/// <summary>
/// Runs a service's migrations before its web server takes requests (hosted services start ahead of the server, so no
/// request sees a half-built schema), retrying while the database is still starting — a replica may come up first.
/// Any other failure (a changed applied script, a broken one) stops the service at once.
/// </summary>
public abstract partial class MigrationHostedService(ILogger logger) : IHostedService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(60);

    protected abstract Task MigrateAsync(CancellationToken cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + RetryFor;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && DateTime.UtcNow < deadline)
            {
                LogRetrying(logger, attempt, ex.Message);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable for migrations (attempt {Attempt}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);
}
