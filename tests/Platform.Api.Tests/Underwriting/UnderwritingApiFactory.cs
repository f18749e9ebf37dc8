using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Testing;

namespace Platform.Api.Tests.Underwriting;

/// <summary>
/// The real API in-process on its own database, with underwriting's test keys, the bureau and fraud clients pointed at
/// <see cref="StubBureauAndFraud"/>, quick retries, and every log record captured.
/// </summary>
public sealed class UnderwritingApiFactory(string databaseConnectionString, string redisConnectionString, StubBureauAndFraud stub)
    : WebApplicationFactory<Program>
{
    public const string TestKeyId = "test-k1";
    public const string TestKey = "underwriting-test-encryption-key-0123456789abcdef";
    public const string TestDigestKey = "underwriting-test-ssn-digest-key-0123456789abcdef";

    public string DatabaseConnectionString { get; } = databaseConnectionString;

    public StubBureauAndFraud Stub { get; } = stub;

    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:platform", DatabaseConnectionString);
        builder.UseSetting("ConnectionStrings:redis", redisConnectionString);
        builder.UseSetting("InternalApi:Key", "");
        builder.UseSetting("Processor:WebhookSecret", "underwriting-tests-webhook-secret-0123");
        builder.UseSetting("Pii:ActiveKeyId", TestKeyId);
        builder.UseSetting($"Pii:EncryptionKeys:{TestKeyId}", TestKey);
        builder.UseSetting("Pii:SsnDigestKey", TestDigestKey);
        builder.UseSetting("Bureau:BaseAddress", Stub.BaseAddress);
        builder.UseTestOperator();
        builder.UseSetting("Fraud:BaseAddress", Stub.BaseAddress);
        // These tests check decisions and e-mails, not the interactive budgets (the benchmark measures those): the
        // first calls of a fresh host on a busy CI machine must not turn a decision into a pending review.
        builder.UseSetting("Bureau:TotalTimeoutMs", "2000");
        builder.UseSetting("Bureau:AttemptTimeoutMs", "2000");
        builder.UseSetting("Fraud:ApplicationTimeoutMs", "499");
        builder.UseSetting("Fraud:ApplicationAttemptTimeoutMs", "499");
        builder.UseSetting("Underwriting:RetryBaseSeconds", "1");
        builder.UseSetting("Underwriting:RetryPollMs", "100");
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddProvider(Logs);
        });
    }

    public static async Task<UnderwritingApiFactory> StartAsync(PlatformStoresFixture stores, StubBureauAndFraud stub)
    {
        var database = await stores.Postgres.CreateDatabaseAsync("underwriting");
        var factory = new UnderwritingApiFactory(database, stores.Redis.ConnectionString, stub);
        _ = factory.Server;
        return factory;
    }

    public async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<long> CountAsync(string sql, params object[] parameters)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
