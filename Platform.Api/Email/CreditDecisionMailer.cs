using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Outbox;

namespace Platform.Api.Email;

/// <summary>
/// Turns each credit decision underwriting asked to mail into a queued <c>credit-decision</c> e-mail, in one
/// transaction that also links the request to it: the request is picked up by one instance at a time, and the
/// deduplication key <c>credit-decision:{decisionId}</c> makes a second e-mail for the same decision impossible.
/// </summary>
internal sealed partial class CreditDecisionMailer(
    NpgsqlDataSource dataSource, CreditDecisionRequests requests, IEmailOutbox emails, OutboxStore outbox, IOptions<EmailOptions> options,
    ILogger<CreditDecisionMailer> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Credit decision mailer");
        return loop.RunAsync(async token => { while (await BackgroundTelemetry.UntracedAsync(() => MailNextAsync(token))) { } },
            loop.Every(TimeSpan.FromMilliseconds(options.Value.DecisionPollMs)), stoppingToken);
    }

    /// <returns>Whether a request was taken (mailed or backed off), so the caller looks for the next at once.</returns>
    private async Task<bool> MailNextAsync(CancellationToken cancellationToken)
    {
        Guid requestId;
        Exception? error;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (await requests.ClaimNextAsync(transaction, cancellationToken) is not { } claimed) return false;
            (requestId, var request, error) = claimed;
            if (request is not null)
            {
                try
                {
                    var emailId = await emails.EnqueueAsync(transaction, new EmailMessage(EmailTemplates.CreditDecision, request.Model, [request.Recipient],
                        DeduplicationKey: $"credit-decision:{request.DecisionId}"), cancellationToken);
                    await requests.LinkAsync(transaction, requestId, emailId, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    outbox.Wake();
                    LogQueued(logger, request.DecisionId, request.Model.Outcome, emailId);
                    return true;
                }
                catch (Exception ex) when (ex is ArgumentException or PostgresException)
                {
                    error = ex;
                }
            }
        }

        // A request that cannot become an e-mail (an unreadable decision, an address SES would refuse) must not block
        // the ones behind it: it is backed off, and after the configured attempts left 'failed' for an operator.
        var o = options.Value;
        LogFailed(logger, requestId, error!.GetType().Name, error.Message);
        await using var failureConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await requests.RecordFailureAsync(failureConnection, requestId, error.GetType().Name + ": " + error.Message,
            TimeSpan.FromMilliseconds(o.DecisionPollMs * 20), o.DecisionMaxAttempts, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit decision {DecisionId} ({Outcome}) queued for e-mail as {EmailId}")]
    private static partial void LogQueued(ILogger logger, Guid decisionId, string outcome, Guid emailId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credit decision e-mail request {RequestId} could not be queued ({ErrorType}: {Error}); backing off")]
    private static partial void LogFailed(ILogger logger, Guid requestId, string errorType, string error);

}
