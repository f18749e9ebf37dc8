using Dapper;
using Npgsql;

namespace Platform.Data.Queues.Tests;

/// <summary>The lease queue against a real PostgreSQL, on a table shaped like the outbox.</summary>
[Collection(QueueDatabaseCollection.Name)]
public sealed class LeaseQueueTests(QueueDatabase database) : IAsyncLifetime
{
    private const string Ddl = """
        create schema work;
        create table work.items (
            item_id bigint generated always as identity primary key,
            topic text not null,
            status text not null default 'pending' check (status in ('pending', 'done', 'dead')),
            attempts int not null default 0,
            next_attempt_at timestamptz not null,
            claimed_until timestamptz null,
            last_error text null,
            completed_at timestamptz null);
        """;

    private static readonly LeaseQueueTable Items = new()
    {
        Name = "items",
        Table = "work.items",
        IdColumn = "item_id",
        Live = "status = 'pending'",
        Returning = "item_id, topic, attempts",
        CompleteSet = "status = 'done', completed_at = @now",
        DeadLetterSet = "status = 'dead', completed_at = @now",
        DeadLetter = "status = 'dead'",
        ReviveSet = "status = 'pending', completed_at = null",
        DeadSince = "completed_at",
        Summary = "topic",
    };

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly LeaseQueuePolicy Policy = new(Backoff.FromMilliseconds(500, 4_000), MaxAttempts: 3);

    private readonly MovableClock clock = new(new DateTimeOffset(2031, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private NpgsqlDataSource dataSource = null!;
    private LeaseQueue<long> queue = null!;

    public async Task InitializeAsync()
    {
        dataSource = await database.CreateAsync(Ddl);
        queue = new LeaseQueue<long>(dataSource, clock, Items, Policy);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    [Fact]
    public async Task A_claimed_item_is_not_claimed_again_while_its_lease_runs()
    {
        var id = await AddAsync("a");

        var first = await queue.ClaimAsync<ItemRow>(10, Lease, default);
        clock.Advance(Lease - TimeSpan.FromSeconds(1));
        var second = await queue.ClaimAsync<ItemRow>(10, Lease, default);

        Assert.Equal(new ItemRow(id, "a", 1), Assert.Single(first));
        Assert.Empty(second);
    }

    [Fact]
    public async Task An_item_whose_lease_lapsed_is_claimed_again_as_its_next_attempt()
    {
        var id = await AddAsync("a");
        await queue.ClaimAsync<ItemRow>(10, Lease, default);

        // The worker that held it crashed: nothing completed it or scheduled a retry.
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var reclaimed = await queue.ClaimAsync<ItemRow>(10, Lease, default);

        Assert.Equal(new ItemRow(id, "a", 2), Assert.Single(reclaimed));
    }

    [Fact]
    public async Task Concurrent_workers_never_claim_the_same_item()
    {
        for (var i = 0; i < 200; i++) await AddAsync($"item-{i}");

        // Eight workers claim small batches at the same moment until nothing is left.
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>();
            IReadOnlyList<ItemRow> batch;
            while ((batch = await queue.ClaimAsync<ItemRow>(3, Lease, default)).Count > 0) mine.AddRange(batch.Select(b => b.ItemId));
            return mine;
        }));
        var claimed = (await Task.WhenAll(workers)).SelectMany(ids => ids).ToList();

        Assert.Equal(200, claimed.Count);
        Assert.Equal(200, claimed.Distinct().Count());
        Assert.Equal(200, await CountAsync("select count(*) from work.items where attempts = 1"));
    }

    [Fact]
    public async Task A_completed_item_is_never_claimed_again()
    {
        var id = await AddAsync("a");
        await queue.ClaimAsync<ItemRow>(10, Lease, default);

        await queue.CompleteAsync(id, default);
        clock.Advance(Lease * 10);

        Assert.Empty(await queue.ClaimAsync<ItemRow>(10, Lease, default));
        Assert.Equal("done", await dataSource.CreateConnection().ExecuteScalarAsync<string>("select status from work.items where item_id = @id", new { id }));
    }

    [Fact]
    public async Task A_failed_attempt_is_due_again_after_the_backoff_and_not_before()
    {
        var id = await AddAsync("a");
        var claimed = Assert.Single(await queue.ClaimAsync<ItemRow>(10, Lease, default));

        Assert.False(await queue.RetryLaterAsync(id, claimed.Attempts, "processor said 503", default));
        clock.Advance(TimeSpan.FromMilliseconds(499));
        var early = await queue.ClaimAsync<ItemRow>(10, Lease, default);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var due = await queue.ClaimAsync<ItemRow>(10, Lease, default);

        Assert.Empty(early);
        Assert.Equal(2, Assert.Single(due).Attempts);
        Assert.Equal("processor said 503",
            await dataSource.CreateConnection().ExecuteScalarAsync<string>("select last_error from work.items where item_id = @id", new { id }));
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1_000)]
    [InlineData(3, 2_000)]
    [InlineData(4, 4_000)]
    [InlineData(5, 4_000)]
    [InlineData(1_000, 4_000)]
    public void Backoff_doubles_per_attempt_up_to_its_cap(int attempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Policy.Backoff.After(attempt));

    [Fact]
    public async Task A_retry_waits_no_longer_than_the_cap_however_many_attempts_failed()
    {
        var id = await AddAsync("a");
        var uncapped = new LeaseQueue<long>(dataSource, clock, Items, Policy with { MaxAttempts = 100 });
        await dataSource.CreateConnection().ExecuteAsync("update work.items set attempts = 40 where item_id = @id", new { id });
        var claimed = Assert.Single(await uncapped.ClaimAsync<ItemRow>(10, Lease, default));

        await uncapped.RetryLaterAsync(id, claimed.Attempts, "still down", default);

        var nextAttemptAt = await dataSource.CreateConnection().ExecuteScalarAsync<DateTime>("select next_attempt_at from work.items where item_id = @id", new { id });
        Assert.Equal(clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(4), nextAttemptAt);
    }

    [Fact]
    public async Task After_its_last_attempt_an_item_is_a_dead_letter_and_no_longer_claimed()
    {
        var id = await AddAsync("card.request");
        for (var attempt = 1; attempt < Policy.MaxAttempts; attempt++)
        {
            var claimed = Assert.Single(await queue.ClaimAsync<ItemRow>(10, Lease, default));
            Assert.False(await queue.RetryLaterAsync(id, claimed.Attempts, $"refused {attempt}", default));
            clock.Advance(Policy.Backoff.Max);
        }
        var last = Assert.Single(await queue.ClaimAsync<ItemRow>(10, Lease, default));

        Assert.True(await queue.RetryLaterAsync(id, last.Attempts, "refused 3", default));
        clock.Advance(TimeSpan.FromDays(1));

        Assert.Empty(await queue.ClaimAsync<ItemRow>(10, Lease, default));
        var dead = Assert.Single(await queue.ListDeadLettersAsync(100, default));
        Assert.Equal(new DeadLetter("items", id.ToString(), "card.request", 3, "refused 3", clock.GetUtcNow() - TimeSpan.FromDays(1)), dead);
    }

    [Fact]
    public async Task A_retried_dead_letter_is_due_at_once_with_a_fresh_round_of_attempts()
    {
        var id = await AddAsync("a");
        await queue.ClaimAsync<ItemRow>(10, Lease, default);
        await queue.DeadLetterAsync(id, "gave up", default);
        var other = await AddAsync("b");

        Assert.Equal(DeadLetterRetry.Retried, await queue.RetryDeadLetterAsync(id.ToString(), default));

        Assert.Empty(await queue.ListDeadLettersAsync(100, default));
        var claimed = await queue.ClaimAsync<ItemRow>(10, Lease, default);
        Assert.Equal([new ItemRow(id, "a", 1), new ItemRow(other, "b", 1)], claimed.OrderBy(c => c.ItemId));
    }

    [Fact]
    public async Task Only_a_dead_letter_can_be_retried()
    {
        var live = await AddAsync("a");

        Assert.Equal(DeadLetterRetry.NotDead, await queue.RetryDeadLetterAsync(live.ToString(), default));
        Assert.Equal(DeadLetterRetry.NotFound, await queue.RetryDeadLetterAsync("999999", default));
        Assert.Equal(DeadLetterRetry.NotFound, await queue.RetryDeadLetterAsync("not-an-id", default));
        Assert.Equal(1, await CountAsync("select count(*) from work.items where status = 'pending' and attempts = 0"));
    }

    [Fact]
    public async Task Completing_inside_a_transaction_that_rolls_back_leaves_the_item_to_be_claimed_again()
    {
        var id = await AddAsync("a");
        await queue.ClaimAsync<ItemRow>(10, Lease, default);

        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await queue.CompleteAsync(id, default, transaction);
            await transaction.RollbackAsync();
        }
        clock.Advance(Lease + TimeSpan.FromSeconds(1));

        Assert.Single(await queue.ClaimAsync<ItemRow>(10, Lease, default));
    }

    private async Task<long> AddAsync(string topic)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("insert into work.items (topic, next_attempt_at) values (@topic, @now) returning item_id",
            new { topic, now = clock.GetUtcNow() });
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private sealed record ItemRow(long ItemId, string Topic, int Attempts);
}
