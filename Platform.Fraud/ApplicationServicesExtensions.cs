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
        builder.AddRedisClient(RedisConnectionName);
        builder.Services.AddOpenApi();
        return builder;
    }
}
