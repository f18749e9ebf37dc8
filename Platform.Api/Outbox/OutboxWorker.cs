using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data.Queues;

namespace Platform.Api.Outbox;

/// <summary>What a handler made of one message.</summary>
public enum OutboxOutcome
{
    /// <summary>Acknowledged (or settled for good, e.g. the processor refused): never sent again.</summary>
    Done,

    /// <summary>Not acknowledged: try again after the backoff.</summary>
    Retry,
}

public sealed record OutboxResult(OutboxOutcome Outcome, string? Error = null)
{
    public static readonly OutboxResult Done = new(OutboxOutcome.Done);
    public static OutboxResult Retry(string error) => new(OutboxOutcome.Retry, error);
}

/// <summary>Delivers one kind of outbox message. Handlers must be idempotent: a message can be handled more than once.</summary>
public interface IOutboxHandler
{
    string Kind { get; }
    Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken);
}

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How often a worker looks for due work that another instance wrote (its own work wakes it at once).</summary>
    [Range(10, 60_000)]
    public int PollMs { get; set; } = 250;

    [Range(1, 500)]
    public int BatchSize { get; set; } = 20;

    /// <summary>How long a claimed row stays with one worker before another may take it over.</summary>
    [Range(1, 3_600)]
    public int LeaseSeconds { get; set; } = 30;

    [Range(10, 600_000)]
    public int RetryBaseMs { get; set; } = 500;

    [Range(10, 3_600_000)]
    public int RetryMaxMs { get; set; } = 300_000;

    /// <summary>After this many attempts a message is a dead letter: it shows in the reconciliation report and in <c>GET /v1/queues/outbox/dead-letters</c>.</summary>
    [Range(1, 100_000)]
    public int MaxAttempts { get; set; } = 200;
}

/// <summary>Claims due outbox rows and hands each to the handler for its kind.</summary>
internal sealed partial class OutboxWorker(
    OutboxStore store, OutboxSignal signal, IServiceScopeFactory scopes, IOptions<OutboxOptions> options, ILogger<OutboxWorker> logger) : BackgroundService
{

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        return new WorkerLoop(logger, "Outbox").RunAsync(async token =>
            {
                IReadOnlyList<OutboxMessage> batch;
                while ((batch = await BackgroundTelemetry.UntracedAsync(() => store.ClaimDueAsync(o.BatchSize, TimeSpan.FromSeconds(o.LeaseSeconds), token))).Count > 0)
                {
                    await Task.WhenAll(batch.Select(message => HandleAsync(message, token)));
                }
            },
            token => signal.WaitAsync(TimeSpan.FromMilliseconds(o.PollMs), token),
            stoppingToken);
    }

    private async Task HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        OutboxResult result;
        try
        {
            // Handlers use typed HTTP clients, which are meant to be short-lived: one scope per message.
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetServices<IOutboxHandler>().FirstOrDefault(h => h.Kind == message.Kind);
            result = handler is not null
                ? await handler.HandleAsync(message, cancellationToken)
                : OutboxResult.Retry($"No handler for outbox kind '{message.Kind}'.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = OutboxResult.Retry(ex.GetType().Name + ": " + ex.Message);
        }

        try
        {
            if (result.Outcome == OutboxOutcome.Done)
            {
                await store.CompleteAsync(message.Id, cancellationToken);
                return;
            }
            LogRetry(logger, message.Kind, message.SubjectId, message.Attempt, result.Error);
            if (await store.RetryLaterAsync(message, result.Error ?? "unknown", cancellationToken)) LogDeadLettered(logger, message.Kind, message.SubjectId, message.Attempt);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The lease lapses and the message is handled again; handlers are idempotent.
            LogPollFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox polling failed; retrying")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Kind} for {SubjectId} not acknowledged (attempt {Attempt}): {Error}")]
    private static partial void LogRetry(ILogger logger, string kind, Guid subjectId, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox {Kind} for {SubjectId} given up after {Attempt} attempts; it waits in GET /v1/queues/outbox/dead-letters")]
    private static partial void LogDeadLettered(ILogger logger, string kind, Guid subjectId, int attempt);
}

internal static class OutboxServiceCollectionExtensions
{
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<IDeadLetterQueue>(provider => provider.GetRequiredService<OutboxStore>().Queue);
        services.AddHostedService<OutboxWorker>();
        services.AddHostedService<OutboxMetrics>();
        return services;
    }
}
