namespace Platform.Data.Queues;

/// <summary>
/// Where a lease queue keeps its items: a table with the lease columns <c>attempts int</c>, <c>next_attempt_at
/// timestamptz</c> and <c>claimed_until timestamptz</c> (and, where the table records why an attempt failed,
/// <see cref="LastErrorColumn"/>), whatever else it holds. The fragments are SQL written by the owning feature, never
/// input; they may use the parameters <c>@now</c> (the queue's clock) and <c>@maxAttempts</c>.
/// </summary>
public sealed record LeaseQueueTable
{
    /// <summary>How operators name the queue (<c>GET /v1/queues/{name}/dead-letters</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Schema-qualified table, e.g. <c>core.outbox</c>.</summary>
    public required string Table { get; init; }

    public required string IdColumn { get; init; }

    /// <summary>The condition of an item that still has work owed (claimable once due), e.g. <c>status = 'pending'</c>.</summary>
    public required string Live { get; init; }

    /// <summary>What a claim returns for the worker's row type, e.g. <c>outbox_id, kind, payload::text as payload, attempts</c>.</summary>
    public required string Returning { get; init; }

    /// <summary>Assignments besides releasing the lease when an item is done, e.g. <c>status = 'done', completed_at = @now</c>.</summary>
    public string? CompleteSet { get; init; }

    /// <summary>Assignments that take an item out of <see cref="Live"/> as a dead letter.</summary>
    public required string DeadLetterSet { get; init; }

    /// <summary>The condition of a dead letter.</summary>
    public required string DeadLetter { get; init; }

    /// <summary>Assignments that make a dead letter live again (attempts, schedule and lease are reset by the queue).</summary>
    public required string ReviveSet { get; init; }

    /// <summary>When an item became a dead letter (an expression), as operators see it.</summary>
    public required string DeadSince { get; init; }

    /// <summary>What the item is about (a text expression), as operators see it, e.g. <c>kind || ' ' || subject_id</c>.</summary>
    public required string Summary { get; init; }

    /// <summary>The column recording why the last attempt failed; null when the table keeps no such column.</summary>
    public string? LastErrorColumn { get; init; } = "last_error";
}
