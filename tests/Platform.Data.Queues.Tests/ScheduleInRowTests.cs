using Dapper;
using Npgsql;

namespace Platform.Data.Queues.Tests;

/// <summary>
/// A queue whose table has no status or error columns (like applications waiting for the bureau): a dead letter is a
/// live row taken off the schedule after its attempts, told apart by its attempt count.
/// </summary>
[Collection(QueueDatabaseCollection.Name)]
public sealed class ScheduleInRowTests(QueueDatabase database) : IAsyncLifetime
{
    private const string Ddl = """
        create table cases (
            case_id uuid primary key,
            state text not null,
            attempts int not null default 0,
            next_attempt_at timestamptz null,
            claimed_until timestamptz null,
            updated_at timestamptz not null);
        """;

    private static readonly LeaseQueueTable Cases = new()
    {
        Name = "cases",
        Table = "cases",
        IdColumn = "case_id",
        Live = "state = 'waiting'",
        Returning = "case_id, attempts",
        DeadLetterSet = "next_attempt_at = null, updated_at = @now",
        DeadLetter = "state = 'waiting' and next_attempt_at is null and attempts >= @maxAttempts",
        ReviveSet = "updated_at = @now",
        DeadSince = "updated_at",
        Summary = "state",
        LastErrorColumn = null,
    };

    private readonly MovableClock clock = new(new DateTimeOffset(2031, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private NpgsqlDataSource dataSource = null!;
    private LeaseQueue<Guid> queue = null!;

    public async Task InitializeAsync()
    {
        dataSource = await database.CreateAsync(Ddl);
        queue = new LeaseQueue<Guid>(dataSource, clock, Cases, new LeaseQueuePolicy(Backoff.FromSeconds(5, 900), MaxAttempts: 2));
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    [Fact]
    public async Task Dead_letters_are_the_rows_that_used_their_attempts_not_those_waiting_for_a_person_anyway()
    {
        var exhausted = await AddAsync(attempts: 1);
        var parked = await AddAsync(attempts: 0, due: false);
        var claimed = Assert.Single(await queue.ClaimAsync<CaseRow>(10, TimeSpan.FromMinutes(1), default));

        Assert.True(await queue.RetryLaterAsync(claimed.CaseId, claimed.Attempts, "bureau down", default));

        Assert.Equal(exhausted, claimed.CaseId);
        var dead = Assert.Single(await queue.ListDeadLettersAsync(10, default));
        Assert.Equal(new DeadLetter("cases", exhausted.ToString(), "waiting", 2, null, clock.GetUtcNow()), dead);
        Assert.Equal(DeadLetterRetry.NotDead, await queue.RetryDeadLetterAsync(parked.ToString(), default));
    }

    [Fact]
    public async Task A_retried_dead_letter_is_claimed_again_from_its_first_attempt()
    {
        var id = await AddAsync(attempts: 2, due: false);

        Assert.Equal(DeadLetterRetry.Retried, await queue.RetryDeadLetterAsync(id.ToString(), default));

        Assert.Equal(new CaseRow(id, 1), Assert.Single(await queue.ClaimAsync<CaseRow>(10, TimeSpan.FromMinutes(1), default)));
    }

    private async Task<Guid> AddAsync(int attempts, bool due = true)
    {
        var id = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("insert into cases values (@id, 'waiting', @attempts, @next, null, @now)",
            new { id, attempts, next = due ? clock.GetUtcNow() : (DateTimeOffset?)null, now = clock.GetUtcNow() });
        return id;
    }

    private sealed record CaseRow(Guid CaseId, int Attempts);
}
