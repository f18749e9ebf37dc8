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
/// makes them durable in one statement, so concurrent authorizations share one round trip and one commit instead of
/// queueing for one each. A request is answered only after the statement holding its row has committed. Idempotency
/// stays exact: a key is claimed together with its row (a key another instance is writing waits on its unique index,
/// a committed one is replayed), and two requests with one key in a batch get one answer. A batch that fails is
/// retried one request at a time, so a failure (a deadlock with another instance, a bad row) fails only the requests it
/// belongs to.
/// </summary>
internal sealed class AuthorizationWriter(NpgsqlDataSource dataSource, ILogger<AuthorizationWriter> logger) : BackgroundService
{
    public const int MaxBatch = 256;

    private readonly Channel<PendingAuthorization> queue = Channel.CreateUnbounded<PendingAuthorization>(new UnboundedChannelOptions { SingleReader = true });

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

    /// <summary>
    /// One statement for the whole batch, so one round trip that is its own transaction: it checks the cards, claims
    /// the keys with their final answers, and inserts the authorizations whose keys it claimed. Answers are set only
    /// after it has committed. A key it could not claim was committed by another writer (the claim waits on the key's
    /// unique index until that writer ends), so its stored answer is read afterwards and replayed.
    /// </summary>
    private async Task CommitAsync(IReadOnlyList<PendingAuthorization> batch)
    {
        // Requests sharing a key are answered from the first of them (scope is "authorize" for all, so the key suffices).
        var leaders = batch.GroupBy(p => p.Key.Key, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var scope = leaders[0].Key.Scope;
        await using var connection = await dataSource.OpenConnectionAsync();

        var answers = leaders.Select(Answer).ToList();
        var written = (await WriteFreshAsync(scope, leaders, answers, connection)).ToDictionary(w => w.AuthorizationId, StringComparer.Ordinal);
        var stored = new Dictionary<string, (string Hash, AuthorizationResponse Response)>(StringComparer.Ordinal);
        foreach (var (p, answer) in leaders.Zip(answers))
        {
            if (!written.TryGetValue(p.AuthorizationId, out var w)) continue;
            stored[p.Key.Key] = (p.Key.RequestHash, answer with { Approved = w.Approved, ResponseCode = w.ResponseCode,
                ResponseMessage = AuthorizationDecision.Message(w.ResponseCode), ApprovedAmount = w.ApprovedAmount });
        }
        if (written.Count < leaders.Count)
        {
            var others = leaders.Where(p => !written.ContainsKey(p.AuthorizationId)).Select(p => p.Key.Key).ToArray();
            foreach (var row in await connection.QueryAsync<StoredKey>(new CommandDefinition("""
                select key, request_hash, response::text as response from processor_sim.idempotency_keys where scope = @scope and key = any(@others)
                """, new { scope, others })))
                stored[row.Key] = (row.RequestHash, JsonSerializer.Deserialize(row.Response, ProcessorJsonContext.Default.AuthorizationResponse)!);
        }

        foreach (var p in batch)
        {
            var (hash, response) = stored[p.Key.Key];
            p.Answer.TrySetResult(
                written.ContainsKey(p.AuthorizationId) ? new(IdempotencyOutcome.Fresh, response, null)
                : hash != p.Key.RequestHash ? IdempotentResult<AuthorizationResponse>.KeyReused()
                : new(IdempotencyOutcome.Replayed, response, null));
        }
    }

    /// <summary>The answer as decided before the card's records are checked.</summary>
    private static AuthorizationResponse Answer(PendingAuthorization p) =>
        new(p.AuthorizationId, p.Decision.Approved, p.Decision.ResponseCode, AuthorizationDecision.Message(p.Decision.ResponseCode),
            p.Request.Amount, p.Decision.ApprovedAmount, p.Request.Currency!, p.Request.CardToken!, p.Now);

    /// <summary>
    /// The card's state is checked in the statement itself: a token processor-sim issued but that failed delivery or
    /// was closed cannot be used (code 14), and the stored answer is patched to say so; unknown tokens are accepted so
    /// tests and load runs need not issue cards first. Keys are claimed in key order, so two writers whose batches
    /// share keys wait on each other in one order and cannot deadlock.
    /// </summary>
    private static Task<IEnumerable<Written>> WriteFreshAsync(string scope, List<PendingAuthorization> leaders, List<AuthorizationResponse> answers,
        NpgsqlConnection connection) =>
        connection.QueryAsync<Written>(new CommandDefinition("""
            with requested as materialized (
                select a.*, coalesce((select c.status in ('failed', 'closed') from processor_sim.cards c where c.card_token = a.card_token), false) as unusable
                from unnest(@keys::text[], @hashes::text[], @ids::text[], @cardTokens::text[], @amounts::bigint[], @currencies::text[], @merchantNames::text[],
                        @mccs::text[], @countries::text[], @approved::boolean[], @codes::text[], @approvedAmounts::bigint[], @createdAts::timestamptz[], @answers::jsonb[])
                    as a(key, request_hash, authorization_id, card_token, amount, currency, merchant_name, merchant_mcc, merchant_country,
                        approved, response_code, approved_amount, created_at, answer)
            ),
            decided as materialized (
                select r.key, r.request_hash, r.authorization_id, r.card_token, r.amount, r.currency, r.merchant_name, r.merchant_mcc, r.merchant_country,
                    r.created_at, r.approved and not r.unusable as approved,
                    case when r.unusable then @unusableCode else r.response_code end as response_code,
                    case when r.unusable then 0 else r.approved_amount end as approved_amount,
                    case when r.unusable then r.answer || jsonb_build_object('approved', false, 'responseCode', @unusableCode,
                        'responseMessage', @unusableMessage, 'approvedAmount', 0) else r.answer end as answer
                from requested r
            ),
            claimed as (
                insert into processor_sim.idempotency_keys (scope, key, request_hash, status_code, response)
                select @scope, d.key, d.request_hash, 200, d.answer from decided d order by d.key
                on conflict do nothing
                returning key
            )
            insert into processor_sim.authorizations (authorization_id, card_token, amount, currency, merchant_name, merchant_mcc,
                merchant_country, approved, response_code, approved_amount, status, created_at)
            select d.authorization_id, d.card_token, d.amount, d.currency, d.merchant_name, d.merchant_mcc, d.merchant_country,
                d.approved, d.response_code, d.approved_amount, case when d.approved then 'approved' else 'declined' end, d.created_at
            from decided d join claimed c on c.key = d.key
            returning authorization_id, approved, response_code, approved_amount
            """, new
        {
            scope,
            keys = leaders.Select(p => p.Key.Key).ToArray(),
            hashes = leaders.Select(p => p.Key.RequestHash).ToArray(),
            ids = leaders.Select(p => p.AuthorizationId).ToArray(),
            cardTokens = leaders.Select(p => p.Request.CardToken!).ToArray(),
            amounts = leaders.Select(p => p.Request.Amount).ToArray(),
            currencies = leaders.Select(p => p.Request.Currency!).ToArray(),
            merchantNames = leaders.Select(p => p.Request.Merchant!.Name!).ToArray(),
            mccs = leaders.Select(p => p.Request.Merchant!.Mcc!).ToArray(),
            countries = leaders.Select(p => p.Request.Merchant!.Country!).ToArray(),
            approved = leaders.Select(p => p.Decision.Approved).ToArray(),
            codes = leaders.Select(p => p.Decision.ResponseCode).ToArray(),
            approvedAmounts = leaders.Select(p => p.Decision.ApprovedAmount).ToArray(),
            createdAts = leaders.Select(p => p.Now.ToUniversalTime()).ToArray(),
            answers = answers.Select(a => JsonSerializer.Serialize(a, ProcessorJsonContext.Default.AuthorizationResponse)).ToArray(),
            unusableCode = UnusableCardCode,
            unusableMessage = AuthorizationDecision.Message(UnusableCardCode),
        }));

    private const string UnusableCardCode = "14";
}
