using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;
using Platform.Api.Data;
using Platform.Data;

namespace Platform.Api.Audit;

/// <summary>The one way features write to the audit spine.</summary>
public interface IAuditTrail
{
    /// <summary>Appends in a transaction of its own.</summary>
    Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends inside the caller's transaction, so that a business change and its audit event commit or roll back together.
    /// </summary>
    Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>The event with its hash, for a statement of the caller's that inserts it with its own change (<see cref="PreparedAuditEvent.InsertCte"/>).</summary>
    PreparedAuditEvent Prepare(AuditEntry entry);
}

/// <summary>
/// Appends events with their own hash, inside the caller's transaction and without any lock: appends from every
/// request run side by side. <see cref="AuditSealer"/> chains them into blocks once they have committed.
/// </summary>
internal sealed class AuditTrail(NpgsqlDataSource dataSource, TimeProvider timeProvider) : IAuditTrail
{
    private static readonly ActivitySource ActivitySource = new("Platform.Api.Audit");

    public async Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var recorded = await AppendAsync(entry, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }

    public async Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        using var activity = ActivitySource.StartActivity("audit append");
        activity?.SetTag("audit.event_type", entry.EventType);

        var prepared = Prepare(entry);
        var connection = transaction.Connection ?? throw new InvalidOperationException("The transaction has no connection.");
        var parameters = new DynamicParameters();
        prepared.AddTo(parameters);
        var sequence = await connection.ExecuteScalarAsync<long>(new CommandDefinition(PreparedAuditEvent.InsertStatement, parameters, transaction,
            cancellationToken: cancellationToken));
        return prepared.Recorded(sequence);
    }

    public PreparedAuditEvent Prepare(AuditEntry entry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.EventType);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Actor.Id);
        var stored = new StoredAuditEvent(
            0,
            Guid.CreateVersion7(),
            PostgresTime.Truncate(timeProvider.GetUtcNow().UtcDateTime),
            entry.Actor.Type.ToString().ToLowerInvariant(),
            entry.Actor.Id,
            entry.EventType,
            entry.Outcome.ToString().ToLowerInvariant(),
            entry.Origin?.IpAddress,
            entry.Origin?.Service,
            entry.Resource?.Type,
            entry.Resource?.Id,
            entry.Details is { } element ? JsonSerializer.Serialize(element) : "{}",
            AuditHash.Genesis);
        return new PreparedAuditEvent(stored, stored.ComputeHash());
    }
}
