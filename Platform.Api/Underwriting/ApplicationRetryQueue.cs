using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data.Queues;

namespace Platform.Api.Underwriting;

/// <summary>A claimed application: who to evaluate and which attempt this is.</summary>
public sealed record ClaimedApplication(Guid ApplicationId, int Attempt);

/// <summary>
/// Applications waiting to be decided again (for the bureau, or an intake that never finished) as a lease queue over
/// <c>core.applications</c>: the schedule lives in the row (<c>next_attempt_at</c>, set by the decision transaction),
/// so a restart loses nothing, and <c>FOR UPDATE SKIP LOCKED</c> gives each to one worker at a time across API
/// instances; a crashed worker's lease lapses. One that used its <see cref="UnderwritingOptions.MaxAutomaticAttempts"/>
/// is taken off the schedule and stays in review: a dead letter operators find in
/// <c>GET /v1/queues/application-retries/dead-letters</c> and can send round again.
/// </summary>
public sealed class ApplicationRetryQueue
{
    public const string QueueName = "application-retries";

    private const string Undecided = "status in ('received', 'pending_review')";

    private static readonly LeaseQueueTable Table = new()
    {
        Name = QueueName,
        Table = "core.applications",
        IdColumn = "application_id",
        Live = Undecided,
        Returning = "application_id, attempts",
        DeadLetterSet = "next_attempt_at = null, updated_at = @now",
        // Off the schedule with its attempts used up; one off the schedule before that waits for a person by design
        // (a frozen file, a fraud alert) and is no dead letter.
        DeadLetter = $"{Undecided} and next_attempt_at is null and attempts >= @maxAttempts",
        ReviveSet = "updated_at = @now",
        DeadSince = "updated_at",
        Summary = "status",
        LastErrorColumn = null,
    };

    public ApplicationRetryQueue(NpgsqlDataSource dataSource, TimeProvider time, IOptions<UnderwritingOptions> options)
    {
        var o = options.Value;
        Queue = new LeaseQueue<Guid>(dataSource, time, Table,
            new LeaseQueuePolicy(Backoff.FromSeconds(o.RetryBaseSeconds, o.RetryMaxSeconds), o.MaxAutomaticAttempts));
    }

    internal LeaseQueue<Guid> Queue { get; }

    public async Task<IReadOnlyList<ClaimedApplication>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var rows = await Queue.ClaimAsync<ClaimedRow>(max, lease, cancellationToken);
        return [.. rows.Select(r => new ClaimedApplication(r.ApplicationId, r.Attempts))];
    }

    /// <summary>Takes an application off the retry schedule; it stays as it is for a person to decide.</summary>
    public Task StopAutomaticAttemptsAsync(Guid applicationId, CancellationToken cancellationToken) =>
        Queue.DeadLetterAsync(applicationId, null, cancellationToken);

    private sealed record ClaimedRow(Guid ApplicationId, int Attempts);
}

internal static class ApplicationRetryServiceCollectionExtensions
{
    /// <summary>The retry queue, its worker, and its dead letters on the operators' list.</summary>
    public static IServiceCollection AddApplicationRetries(this IServiceCollection services)
    {
        services.AddSingleton<ApplicationRetryQueue>();
        services.AddSingleton<IDeadLetterQueue>(provider => provider.GetRequiredService<ApplicationRetryQueue>().Queue);
        services.AddHostedService<ApplicationRetryWorker>();
        return services;
    }
}
