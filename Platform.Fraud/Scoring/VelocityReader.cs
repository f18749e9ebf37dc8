using Microsoft.Extensions.Options;
using Platform.Fraud.Features;

namespace Platform.Fraud.Scoring;

/// <summary>
/// Asks the velocity store within a short budget. When Redis is slow or down the score goes on with default
/// velocity and says so (<c>degraded</c>); the write may still land later, which only makes counts err on the high side.
/// </summary>
internal sealed partial class VelocityReader(IVelocityStore store, IOptions<FraudOptions> options, ILogger<VelocityReader> logger)
{
    private static readonly long WarningInterval = TimeSpan.FromSeconds(10).Ticks;
    private long lastWarningTicks = long.MinValue / 2;

    public async ValueTask<(CardVelocity Velocity, bool Degraded)> ForTransactionAsync(TransactionEvent transaction, CancellationToken cancellationToken)
    {
        using var activity = FraudTelemetry.Source.StartActivity("fraud.velocity transaction");
        try
        {
            var velocity = await store.RecordTransactionAsync(transaction, cancellationToken)
                .WaitAsync(TimeSpan.FromMilliseconds(options.Value.TransactionVelocityTimeoutMs), cancellationToken);
            return (velocity, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            Warn(ex);
            return (CardVelocity.Unknown(transaction), true);
        }
    }

    public async ValueTask<(ApplicationVelocity Velocity, bool Degraded)> ForApplicationAsync(ApplicationEvent application, CancellationToken cancellationToken)
    {
        using var activity = FraudTelemetry.Source.StartActivity("fraud.velocity application");
        try
        {
            var velocity = await store.RecordApplicationAsync(application, cancellationToken)
                .WaitAsync(TimeSpan.FromMilliseconds(options.Value.ApplicationVelocityTimeoutMs), cancellationToken);
            return (velocity, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            Warn(ex);
            return (ApplicationVelocity.Unknown, true);
        }
    }

    /// <summary>At most one warning every ten seconds: an outage must not turn every request into a log line.</summary>
    private void Warn(Exception ex)
    {
        var now = DateTime.UtcNow.Ticks;
        var last = Interlocked.Read(ref lastWarningTicks);
        if (now - last >= WarningInterval && Interlocked.CompareExchange(ref lastWarningTicks, now, last) == last)
        {
            // The exception type and message only: Redis errors can quote keys, and keys are hashes, but no event data is logged.
            LogVelocityUnavailable(logger, ex.GetType().Name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Velocity store unavailable ({ErrorType}: {ErrorMessage}); scoring with default velocity (degraded)")]
    private static partial void LogVelocityUnavailable(ILogger logger, string errorType, string errorMessage);
}
