using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Platform.Testing;

namespace Platform.Api.Tests;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<PlatformStoresFixture>
{
    public const string Name = "api";
}

/// <summary>
/// The real API in-process, against its own fresh database on the collection's PostgreSQL and the shared Redis.
/// </summary>
public sealed class ApiFactory(string databaseConnectionString, string redisConnectionString, string? internalApiKey = null)
    : WebApplicationFactory<Program>
{
    public const string WebhookSecret = "test-webhook-secret-0123456789";

    public string DatabaseConnectionString { get; } = databaseConnectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:platform", DatabaseConnectionString);
        builder.UseSetting("ConnectionStrings:redis", redisConnectionString);
        builder.UseSetting("InternalApi:Key", internalApiKey ?? "");
        builder.UseSetting("Processor:WebhookSecret", WebhookSecret);
        builder.UseTestOperator();
    }

    public static async Task<ApiFactory> StartAsync(PlatformStoresFixture stores, string? internalApiKey = null)
    {
        var database = await stores.Postgres.CreateDatabaseAsync("api");
        var factory = new ApiFactory(database, stores.Redis.ConnectionString, internalApiKey);
        // Creating the server runs the hosted services, migrations included.
        _ = factory.Server;
        return factory;
    }

    public async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
