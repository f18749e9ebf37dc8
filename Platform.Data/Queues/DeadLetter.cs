namespace Platform.Data.Queues;

/// <summary>An item a queue gave up on after its attempts ran out; it waits for an operator to retry it.</summary>
/// <param name="Queue">The queue's name.</param>
/// <param name="Id">The item's id in its table, as text.</param>
/// <param name="Summary">What the item is about (for the outbox, its kind and subject).</param>
public sealed record DeadLetter(string Queue, string Id, string Summary, int Attempts, string? LastError, DateTimeOffset? DeadSince);

public enum DeadLetterRetry
{
    /// <summary>Live again with a fresh round of attempts, due now.</summary>
    Retried,

    /// <summary>The item exists but is not a dead letter (still being worked on, or done).</summary>
    NotDead,

    NotFound,
}

/// <summary>The operator's view of one queue, whatever the type of its ids.</summary>
public interface IDeadLetterQueue
{
    string Name { get; }

    /// <summary>Dead letters, most recent first.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken);

    /// <param name="id">The id as the list shows it; text that is no id of this queue is <see cref="DeadLetterRetry.NotFound"/>.</param>
    /// <param name="transaction">Where the caller records who asked (the audit trail), so the retry and its record commit together.</param>
    Task<DeadLetterRetry> RetryDeadLetterAsync(string id, CancellationToken cancellationToken, Npgsql.NpgsqlTransaction? transaction = null);
}
