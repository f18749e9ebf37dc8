using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Pii;

namespace Platform.Api.Underwriting;

/// <summary>Takes an application in (sealed, duplicate-checked, audited) and evaluates it while the applicant waits.</summary>
public sealed partial class ApplicationIntake(
    ApplicationStore store,
    Underwriter underwriter,
    IAuditTrail audit,
    NpgsqlDataSource dataSource,
    IOptions<UnderwritingOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ApplicationIntake> logger)
{
    /// <returns>The application's id, and whether it is new (false: the applicant's earlier application within the window).</returns>
    /// <param name="ownerUserId">The customer applying (null when an operator applies on someone's behalf); the account an approval opens is theirs.</param>
    public async Task<(Guid ApplicationId, bool Created)> SubmitAsync(ApplicantIdentity applicant, string? clientIp, string? ownerUserId, AuditActor actor, AuditOrigin? origin,
        CancellationToken cancellationToken)
    {
        var o = options.Value;
        Guid applicationId;
        bool created;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            (applicationId, created) = await store.IntakeAsync(transaction, applicant, clientIp, ownerUserId, TimeSpan.FromDays(o.DuplicateWindowDays),
                TimeSpan.FromSeconds(o.LeaseSeconds), cancellationToken);
            if (created)
            {
                await audit.AppendAsync(UnderwritingAudit.ApplicationReceived(applicationId, Ssn.Last4(applicant.Ssn), actor, origin), transaction, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        if (!created)
        {
            LogDuplicate(logger, applicationId);
            return (applicationId, false);
        }
        LogReceived(logger, applicationId, applicant);

        // Once taken in, the evaluation finishes even if the caller hangs up: the applicant reads the result later.
        // Should this process die first, the intake's lease lapses and the retry worker evaluates it.
        await underwriter.EvaluateAsync(applicationId, applicant, attempt: 1, actor, origin, lifetime.ApplicationStopping);
        return (applicationId, true);
    }

    // Logged with its properties so operators see what came in; classification erases the PII ones (SSN, DOB, name, contact).
    [LoggerMessage(Level = LogLevel.Information, Message = "Application {ApplicationId} received")]
    private static partial void LogReceived(ILogger logger, Guid applicationId, [LogProperties] ApplicantIdentity applicant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applicant already applied within the window: application {ApplicationId} returned, no new pull")]
    private static partial void LogDuplicate(ILogger logger, Guid applicationId);
}
