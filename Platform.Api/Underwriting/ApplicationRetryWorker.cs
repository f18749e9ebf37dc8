using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;

namespace Platform.Api.Underwriting;

/// <summary>
/// Re-evaluates applications that wait for the bureau (or whose intake never finished). Rows are leased
/// (<see cref="ApplicationRetryQueue"/>), so any number of API instances can run this side by side; the
/// schedule lives in the row, so a restart loses nothing.
/// </summary>
internal sealed partial class ApplicationRetryWorker(
    ApplicationRetryQueue queue,
    ApplicationStore store,
    Underwriter underwriter,
    IAuditTrail audit,
    IOptions<UnderwritingOptions> options,
    ILogger<ApplicationRetryWorker> logger) : BackgroundService
{
    public const string RetryReason = "automatic re-evaluation of an application waiting for the credit bureau";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var claimed = 0;
        var loop = new WorkerLoop(logger, "Application retries");
        return loop.RunAsync(async token =>
            {
                var due = await BackgroundTelemetry.UntracedAsync(() => queue.ClaimDueAsync(o.RetryBatchSize, TimeSpan.FromSeconds(o.LeaseSeconds), token));
                claimed = due.Count;
                foreach (var application in due) await ReevaluateAsync(application, token);
            },
            token => claimed == 0 ? Task.Delay(TimeSpan.FromMilliseconds(o.RetryPollMs), token) : Task.CompletedTask,
            stoppingToken);
    }

    private async Task ReevaluateAsync(ClaimedApplication application, CancellationToken cancellationToken)
    {
        try
        {
            // An application that failed this often (every claim counts, crashed ones too) is left for a person
            // instead of being claimed for ever.
            if (application.Attempt > options.Value.MaxAutomaticAttempts)
            {
                await queue.StopAutomaticAttemptsAsync(application.ApplicationId, cancellationToken);
                LogGaveUp(logger, application.ApplicationId, application.Attempt);
                return;
            }
            // The bureau needs the SSN and date of birth again: an unmasked read like any other, so it is audited first.
            await audit.AppendAsync(UnderwritingAudit.PiiRead(application.ApplicationId, ["ssn", "dateOfBirth"], RetryReason, FinancialAudit.Worker, null), cancellationToken);
            var applicant = await store.ReadIdentityAsync(application.ApplicationId, cancellationToken);
            if (applicant is null) return;
            await underwriter.EvaluateAsync(application.ApplicationId, applicant, application.Attempt, FinancialAudit.Worker, null, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One application's failure (a retired key, a dependency refusing it) must not stop the worker for all
            // the others: its lease lapses and it is claimed again, until the attempts run out.
            LogReevaluationFailed(logger, application.ApplicationId, application.Attempt, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Application {ApplicationId} still undecided after {Attempt} attempts; left for manual review")]
    private static partial void LogGaveUp(ILogger logger, Guid applicationId, int attempt);


    [LoggerMessage(Level = LogLevel.Error, Message = "Re-evaluating application {ApplicationId} (attempt {Attempt}) failed; it will be claimed again when its lease lapses")]
    private static partial void LogReevaluationFailed(ILogger logger, Guid applicationId, int attempt, Exception exception);
}
