using Platform.Api.Accounts;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Cards;
using Platform.Api.Data;
using Platform.Api.Ledger;
using Platform.Api.Outbox;
using Platform.Api.TestClock;
using Platform.Api.Statements;
using Scalar.AspNetCore;

namespace Platform.Api;

internal static class ApplicationServicesExtensions
{
    /// <summary>Connection names the AppHost hands this service (ConnectionStrings__platform, ConnectionStrings__redis).</summary>
    public const string DatabaseConnectionName = "platform";
    public const string RedisConnectionName = "redis";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        Platform.Data.RowMapping.Configure();
        builder.AddNpgsqlDataSource(DatabaseConnectionName, configureDataSourceBuilder: dataSource =>
        {
            Platform.Data.ConnectionTuning.SkipResetOnReturn(dataSource);
            Platform.Data.ConnectionTuning.PrepareRepeatedStatements(dataSource);
        });
        builder.AddRedisClient(RedisConnectionName);
        // Before anything registers the system clock, so that QA's movable clock, when enabled, is the one everyone uses.
        builder.AddTestClockIfEnabled();

        builder.Services.AddOpenApi(options => options.AddPlatformContract())
            .Configure<Platform.ServiceDefaults.OpenApi.PlatformOpenApiOptions>(Identity.IdentityApiContract.AddExamples);
        builder.Services.AddDatabaseMigrations();
        builder.Services.AddAuditTrail();
        builder.AddPlatformIdentity();
        builder.AddFraudClient();
        builder.AddProcessorClients();
        builder.AddUnderwriting();
        builder.AddEmail();

        builder.Services.AddOutbox();
        builder.Services.AddSingleton<LedgerPostings>();
        builder.Services.AddSingleton<AccountStore>();
        builder.Services.AddSingleton<CardStore>();
        builder.Services.AddSingleton<CardIssuing>();
        builder.Services.AddCardsAndMoney();
        builder.AddStatements();

        return builder;
    }

    public static WebApplication MapApiDocuments(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        return app;
    }
}
