using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Npgsql;

namespace Platform.SimControl.Processor;

/// <summary>An authorization decided and waiting to be made durable, with the request's idempotency key.</summary>
internal sealed record PendingAuthorization(IdempotencyKey Key, string AuthorizationId, AuthorizeRequest Request, AuthorizationDecision Decision, DateTimeOffset Now)
{
    public TaskCompletionSource<IdempotentResult<AuthorizationResponse>> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for authorizations: one writer takes every authorization waiting (up to <see cref="MaxBatch"/>) and
/// makes them durable in one transaction, so concurrent authorizations share one commit instead of queueing for one each.
/// A request is answered only after the transaction holding its row has committed. Idempotency stays exact: keys are
/// claimed first (a key another instance is writing waits on its unique index, a committed one is replayed), and two
/// requests with one key in a batch get one answer. A batch that fails is retried one request at a time, so a failure
/// (a deadlock with another instance, a bad row) fails only the requests it belongs to.
/// </summary>
internal sealed class AuthorizationWriter(NpgsqlDataSource dataSource, ILogger<AuthorizationWriter> logger) : BackgroundService
{
    public const int MaxBatch = 256;

    private readonly Channel<PendingAuthorization> queue = Channel.CreateUnbounded<PendingAuthorization>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Claimed(string Key);

    private sealed record StoredKey(string Key, string RequestHash, string Response);

    private sealed record Written(string AuthorizationId, bool Approved, string ResponseCode, long ApprovedAmount);

    public Task<IdempotentResult<AuthorizationResponse>> WriteAsync(PendingAuthorization pending)
    {
        if (!queue.Writer.TryWrite(pending))
            return Task.FromResult(new IdempotentResult<AuthorizationResponse>(IdempotencyOutcome.Refused, null, TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down", detail: "This instance is stopping; nothing was recorded. Retry with the same key.")));
        return pending.Answer.Task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Everything already accepted is written and answered before the writer stops.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        var batch = new List<PendingAuthorization>(MaxBatch);
        // Not tied to stoppingToken: the loop ends when the queue is completed and drained.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var pending)) batch.Add(pending);
            await BackgroundTelemetry.UntracedAsync(() => WriteBatchAsync(batch));
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<PendingAuthorization> batch)
    {
        try
        {
            await CommitAsync(batch);
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            logger.LogWarning(ex, "A batch of {Count} authorizations failed; writing them one at a time", batch.Count);
            foreach (var pending in batch)
            {
                try
                {
                    await CommitAsync([pending]);
                }
                catch (Exception single)
                {
                    pending.Answer.TrySetException(single);
                }
            }
        }
        catch (Exception ex)
        {
            batch[0].Answer.TrySetException(ex);
        }
    }

    /// <summary>One transaction for the whole batch; answers are set only after it commits.</summary>
    private async Task CommitAsync(IReadOnlyList<PendingAuthorization> batch)
    {
        // Requests sharing a key are answered from the first of them (scope is "authorize" for all, so the key suffices).
        var leaders = batch.GroupBy(p => p.Key.Key, StringComparer.Ordinal).Select(g => g.First()).ToList();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();

        var scope = leaders[0].Key.Scope;
        var claimed = (await connection.QueryAsync<Claimed>(new CommandDefinition("""
            insert into processor_sim.idempotency_keys (scope, key, request_hash, status_code, response)
            select @scope, k.key, k.request_hash, 0, 'null' from unnest(@keys::text[], @hashes::text[]) as k(key, request_hash)
            on conflict do nothing
            returning key
            """, new { scope, keys = leaders.Select(p => p.Key.Key).ToArray(), hashes = leaders.Select(p => p.Key.RequestHash).ToArray() }, tx)))
            .Select(c => c.Key).ToHashSet(StringComparer.Ordinal);

        var fresh = leaders.Where(p => claimed.Contains(p.Key.Key)).ToList();
        var stored = new Dictionary<string, (string Hash, AuthorizationResponse Response)>(StringComparer.Ordinal);
        if (fresh.Count < leaders.Count)
        {
            var others = leaders.Where(p => !claimed.Contains(p.Key.Key)).Select(p => p.Key.Key).ToArray();
            foreach (var row in await connection.QueryAsync<StoredKey>(new CommandDefinition("""
                select key, request_hash, response::text as response from processor_sim.idempotency_keys where scope = @scope and key = any(@others)
                """, new { scope, others }, tx)))
                stored[row.Key] = (row.RequestHash, JsonSerializer.Deserialize(row.Response, ProcessorJsonContext.Default.AuthorizationResponse)!);
        }

        if (fresh.Count > 0)
        {
            var written = (await InsertAuthorizationsAsync(fresh, connection, tx)).ToDictionary(w => w.AuthorizationId, StringComparer.Ordinal);
            foreach (var p in fresh)
            {
                var w = written[p.AuthorizationId];
                stored[p.Key.Key] = (p.Key.RequestHash, new AuthorizationResponse(p.AuthorizationId, w.Approved, w.ResponseCode, AuthorizationDecision.Message(w.ResponseCode),
                    p.Request.Amount, w.ApprovedAmount, p.Request.Currency!, p.Request.CardToken!, p.Now));
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                update processor_sim.idempotency_keys k set status_code = 200, response = r.response::jsonb
                from unnest(@keys::text[], @responses::text[]) as r(key, response)
                where k.scope = @scope and k.key = r.key
                """, new
            {
                scope,
                keys = fresh.Select(p => p.Key.Key).ToArray(),
                responses = fresh.Select(p => JsonSerializer.Serialize(stored[p.Key.Key].Response, ProcessorJsonContext.Default.AuthorizationResponse)).ToArray(),
            }, tx));
        }
        await tx.CommitAsync();

        var freshIds = fresh.Select(p => p.AuthorizationId).ToHashSet(StringComparer.Ordinal);
        foreach (var p in batch)
        {
            var (hash, response) = stored[p.Key.Key];
            p.Answer.TrySetResult(
                freshIds.Contains(p.AuthorizationId) ? new(IdempotencyOutcome.Fresh, response, null)
                : hash != p.Key.RequestHash ? IdempotentResult<AuthorizationResponse>.KeyReused()
                : new(IdempotencyOutcome.Replayed, response, null));
        }
    }

    /// <summary>
    /// The card's state is checked by the insert itself: a token processor-sim issued but that failed delivery or was
    /// closed cannot be used (code 14); unknown tokens are accepted so tests and load runs need not issue cards first.
    /// </summary>
    private static Task<IEnumerable<Written>> InsertAuthorizationsAsync(List<PendingAuthorization> fresh, NpgsqlConnection connection, NpgsqlTransaction tx) =>
        connection.QueryAsync<Written>(new CommandDefinition("""
            insert into processor_sim.authorizations (authorization_id, card_token, amount, currency, merchant_name, merchant_mcc,
                merchant_country, approved, response_code, approved_amount, status, created_at)
            select a.authorization_id, a.card_token, a.amount, a.currency, a.merchant_name, a.merchant_mcc, a.merchant_country,
                a.approved and not card.unusable, case when card.unusable then '14' else a.response_code end,
                case when card.unusable then 0 else a.approved_amount end, case when card.unusable then 'declined' else a.status end, a.created_at
            from unnest(@ids::text[], @cardTokens::text[], @amounts::bigint[], @currencies::text[], @merchantNames::text[], @mccs::text[], @countries::text[],
                    @approved::boolean[], @codes::text[], @approvedAmounts::bigint[], @statuses::text[], @createdAts::timestamptz[])
                as a(authorization_id, card_token, amount, currency, merchant_name, merchant_mcc, merchant_country, approved, response_code, approved_amount, status, created_at)
            cross join lateral (select coalesce((select status in ('failed', 'closed') from processor_sim.cards where card_token = a.card_token), false) as unusable) card
            returning authorization_id, approved, response_code, approved_amount
            """, new
        {
            ids = fresh.Select(p => p.AuthorizationId).ToArray(),
            cardTokens = fresh.Select(p => p.Request.CardToken!).ToArray(),
            amounts = fresh.Select(p => p.Request.Amount).ToArray(),
            currencies = fresh.Select(p => p.Request.Currency!).ToArray(),
            merchantNames = fresh.Select(p => p.Request.Merchant!.Name!).ToArray(),
            mccs = fresh.Select(p => p.Request.Merchant!.Mcc!).ToArray(),
            countries = fresh.Select(p => p.Request.Merchant!.Country!).ToArray(),
            approved = fresh.Select(p => p.Decision.Approved).ToArray(),
            codes = fresh.Select(p => p.Decision.ResponseCode).ToArray(),
            approvedAmounts = fresh.Select(p => p.Decision.ApprovedAmount).ToArray(),
            statuses = fresh.Select(p => p.Decision.Approved ? "approved" : "declined").ToArray(),
            createdAts = fresh.Select(p => p.Now.ToUniversalTime()).ToArray(),
        }, tx));
}
