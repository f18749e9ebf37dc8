using Dapper;
using Npgsql;

namespace Platform.SimControl.Processor;

/// <summary>The one URL processor-sim delivers its webhooks to (<c>processor_sim.webhook_endpoint</c>).</summary>
internal sealed class WebhookEndpointStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<WebhookEndpointResponse?> GetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WebhookEndpointResponse>(new CommandDefinition(
            "select url, updated_at from processor_sim.webhook_endpoint where id = 1", cancellationToken: cancellationToken));
    }

    public async Task<WebhookEndpointResponse> SetAsync(string url, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into processor_sim.webhook_endpoint (id, url, updated_at) values (1, @url, @now)
            on conflict (id) do update set url = excluded.url, updated_at = excluded.updated_at
            """, new { url, now }, tx, cancellationToken: cancellationToken));
        await WebhookOutbox.ReleaseBackoffsAsync(now, connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new(url, now);
    }
}
