using Platform.Fraud.Features;
using Platform.Fraud.Scoring;
using StackExchange.Redis;

namespace Platform.Fraud;

internal static class ApplicationServicesExtensions
{
    public const string DatabaseConnectionName = "platform";
    public const string RedisConnectionName = "redis";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Postgres is checked by /health even before fraud stores anything there: the service is only
        // healthy when every store it will rely on answers.
        builder.AddNpgsqlDataSource(DatabaseConnectionName);
        builder.AddRedisClient(RedisConnectionName, configureOptions: options =>
        {
            // A score cannot wait for Redis: fail fast while disconnected (the score goes on, degraded) instead of
            // queueing commands, and bound the one blocking connect the warm-up does at start-up.
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.ConnectTimeout = 2_000;
            options.AsyncTimeout = 1_000;
            options.SyncTimeout = 1_000;
        });
        builder.Services.AddOpenApi(options => options.AddPlatformContract());
        builder.AddFraudScoring();
        return builder;
    }

    public static IHostApplicationBuilder AddFraudScoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FraudOptions>()
            .BindConfiguration(FraudOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ScoringJsonContext.Default));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FraudModels>();
        builder.Services.AddSingleton<FraudTelemetry>();
        builder.Services.AddSingleton(services =>
            new IdentityHasher(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FraudOptions>>().Value.VelocityHashKey));
        builder.Services.AddSingleton<IVelocityStore, RedisVelocityStore>();
        builder.Services.AddSingleton<VelocityReader>();
        builder.Services.AddSingleton<FraudScorer>();
        builder.Services.AddHostedService<ScoringWarmup>();

        builder.Services.AddAuthentication().AddApiKey(PlatformCallers.Scheme);
        builder.Services.AddOptions<ApiKeyAuthenticationOptions>(PlatformCallers.Scheme)
            .Configure<Microsoft.Extensions.Options.IOptions<FraudOptions>>((o, fraud) => (o.Key, o.ClientName) = (fraud.Value.ApiKey, "platform-api"));
        builder.Services.AddAuthorization();
        return builder;
    }
}
