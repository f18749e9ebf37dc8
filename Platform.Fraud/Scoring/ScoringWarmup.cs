using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Platform.Fraud.Features;
using StackExchange.Redis;

namespace Platform.Fraud.Scoring;

/// <summary>
/// Makes the first request as fast as the rest. Before the server listens: load both models, create every pooled
/// prediction engine, run the scoring path (features, model, reasons) and the JSON contracts, connect to Redis and
/// load the velocity scripts. Once it listens: send each endpoint one request over loopback (an invalid body,
/// so nothing is written to Redis) to warm Kestrel, routing and the problem-details path.
/// </summary>
internal sealed partial class ScoringWarmup(
    IServiceProvider services,
    IOptions<FraudOptions> options,
    ILogger<ScoringWarmup> logger) : IHostedLifecycleService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var models = services.GetRequiredService<FraudModels>();
        models.Transaction.Warm(options.Value.PredictionEnginesPerModel);
        models.Application.Warm(options.Value.PredictionEnginesPerModel);

        var scorer = services.GetRequiredService<FraudScorer>();
        var now = DateTimeOffset.UtcNow;
        var transaction = SampleTransaction(now);
        var application = SampleApplication(now);
        for (var i = 0; i < 500; i++)
        {
            var score = scorer.ScoreTransaction(transaction, CardVelocity.Unknown(transaction), degraded: false, Stopwatch.GetTimestamp());
            scorer.ScoreApplication(application, ApplicationVelocity.Unknown, degraded: false, Stopwatch.GetTimestamp());
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(FraudScoreResponse.From(score), ScoringJsonContext.Default.FraudScoreResponse);
        }
        ScoringValidation.TryCreate(
            new TransactionScoreRequest(null, "card", 100, "USD", "m", "5411", "US", "US", "pos", null, null), now, out _, out _);

        WarmDegradedPath(transaction, application);
        var redisReady = WarmRedis(transaction, application);
        LogWarm(logger, models.Transaction.Version, models.Application.Version, redisReady,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Task.CompletedTask;
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal));
        if (address is null)
        {
            return; // In-memory test server: nothing listens.
        }
        var loopback = address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://[::]", "://127.0.0.1")
            .Replace("://0.0.0.0", "://127.0.0.1");
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(loopback), Timeout = TimeSpan.FromSeconds(5) };
            foreach (var path in (string[])["/v1/score/transaction", "/v1/score/application"])
            {
                using var body = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(path, body, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            LogSelfRequestFailed(logger, ex.GetType().Name);
        }
    }

    /// <summary>The first Redis failure would otherwise pay for loading exception machinery inside a request.</summary>
    private void WarmDegradedPath(TransactionEvent transaction, ApplicationEvent application)
    {
        services.GetRequiredService<IdentityHasher>().Hash(RedisKeys.Purpose.Card, transaction.CardId);
        var unavailable = new VelocityReader(new UnavailableVelocityStore(), options, Microsoft.Extensions.Logging.Abstractions.NullLogger<VelocityReader>.Instance);
        unavailable.ForTransactionAsync(transaction, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        unavailable.ForApplicationAsync(application, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private sealed class UnavailableVelocityStore : IVelocityStore
    {
        public Task<CardVelocity> RecordTransactionAsync(TransactionEvent transaction, CancellationToken cancellationToken) =>
            Task.FromException<CardVelocity>(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "warm-up"));

        public Task<ApplicationVelocity> RecordApplicationAsync(ApplicationEvent application, CancellationToken cancellationToken) =>
            Task.FromException<ApplicationVelocity>(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "warm-up"));
    }

    private bool WarmRedis(TransactionEvent transaction, ApplicationEvent application)
    {
        try
        {
            // Resolving the multiplexer connects (bounded by the connect timeout): better here than in a request.
            var redis = services.GetRequiredService<IConnectionMultiplexer>();
            if (!redis.IsConnected)
            {
                // Redis is down: the real store fails fast without writing anything, which warms the exact path
                // the first degraded requests will take (and logs the outage once).
                var velocity = services.GetRequiredService<VelocityReader>();
                velocity.ForTransactionAsync(transaction, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                velocity.ForApplicationAsync(application, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                return false;
            }
            foreach (var endpoint in redis.GetEndPoints())
            {
                var server = redis.GetServer(endpoint);
                server.ScriptLoad(VelocityScripts.Transaction);
                server.ScriptLoad(VelocityScripts.Application);
            }
            if (services.GetRequiredService<IVelocityStore>() is RedisVelocityStore store)
            {
                store.WarmUpAsync().GetAwaiter().GetResult();
            }
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    internal static TransactionEvent SampleTransaction(DateTimeOffset now) => new(
        "warmup", "warmup-card", 4_250, "USD", "warmup-merchant", MerchantCategories.Grocery, "US", "US",
        TransactionChannel.Contactless, null, now.ToUnixTimeMilliseconds());

    internal static ApplicationEvent SampleApplication(DateTimeOffset now) => new(
        "warmup", "Alex", "Example", new DateOnly(1985, 4, 12), "123456789", 2001, "alex.example@gmail.com",
        "15555550100", "US", 48, 6_500_000, "US", null, now.ToUnixTimeMilliseconds());

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Fraud models {TransactionModel} and {ApplicationModel} warmed up (Redis ready: {RedisReady}) in {ElapsedMs:0} ms")]
    private static partial void LogWarm(ILogger logger, string transactionModel, string applicationModel, bool redisReady, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up request to the service itself failed ({ErrorType})")]
    private static partial void LogSelfRequestFailed(ILogger logger, string errorType);
}
