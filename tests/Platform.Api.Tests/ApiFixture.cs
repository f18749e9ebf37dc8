using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Api.Tests.Underwriting;
using Platform.Testing;

namespace Platform.Api.Tests;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<PlatformStoresFixture>
{
    public const string Name = "api";
}

/// <summary>
/// The real API in-process, against its own database on a suite's PostgreSQL and the shared Redis: the one test host
/// every API suite uses. <see cref="ApiHostBuilder"/> holds the settings they share; each suite adds its own on top.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const string WebhookSecret = "test-webhook-secret-0123456789";

    private readonly IReadOnlyDictionary<string, string?> settings;
    private readonly IReadOnlyList<Action<IServiceCollection>> testServices;
    private readonly LogLevel? capturedLevel;

    /// <summary>A host with the shared settings only.</summary>
    public ApiFactory(string databaseConnectionString, string redisConnectionString, string? internalApiKey = null)
        : this(new ApiHostBuilder(databaseConnectionString, redisConnectionString).With("InternalApi:Key", internalApiKey ?? ""))
    {
    }

    internal ApiFactory(ApiHostBuilder builder)
    {
        DatabaseConnectionString = builder.DatabaseConnectionString;
        settings = new Dictionary<string, string?>(builder.Settings);
        testServices = [.. builder.TestServices];
        capturedLevel = builder.CapturedLevel;
    }

    public string DatabaseConnectionString { get; }

    /// <summary>Every log record the host wrote, when its builder asked for them (<see cref="ApiHostBuilder.CapturingLogs"/>).</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (capturedLevel is { } level)
        {
            builder.ConfigureLogging(logging =>
            {
                logging.SetMinimumLevel(level);
                logging.AddProvider(Logs);
            });
        }
        if (testServices.Count > 0)
            builder.ConfigureTestServices(services => { foreach (var configure in testServices) configure(services); });
    }

    /// <summary>A started host (migrations run) with the shared settings on a fresh database.</summary>
    public static async Task<ApiFactory> StartAsync(PlatformStoresFixture stores, string? internalApiKey = null) =>
        await ApiHostBuilder.On(stores, "api").With("InternalApi:Key", internalApiKey ?? "").StartAsync();

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

/// <summary>
/// What every API test host shares (Development, its database and Redis, the seeded test operator, the keys the API
/// presents to its dependencies, sign-in limits out of the way), and the per-suite settings on top: later values win.
/// </summary>
public sealed class ApiHostBuilder
{
    private readonly Dictionary<string, string?> settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Action<IServiceCollection>> testServices = [];
    private PlatformStoresFixture? stores;
    private string? databasePrefix;

    public ApiHostBuilder(string databaseConnectionString, string redisConnectionString)
    {
        DatabaseConnectionString = databaseConnectionString;
        With("ConnectionStrings:platform", databaseConnectionString);
        With("ConnectionStrings:redis", redisConnectionString);
        With("InternalApi:Key", "");
        With("Processor:WebhookSecret", ApiFactory.WebhookSecret);
        // The operator the API seeds in Development, and the keys it presents to the processor, the bureau and the
        // fraud service (every host needs both to start).
        With("Identity:Operator:Email", TestIdentity.OperatorEmail);
        With("Identity:Operator:Password", TestIdentity.OperatorPassword);
        With("Processor:ApiKey", TestCredentials.ProcessorApiKey);
        With("Bureau:ApiKey", TestCredentials.BureauApiKey);
        With("Fraud:ApiKey", TestCredentials.FraudApiKey);
        With("Identity:PublicBaseUrl", "http://localhost");
        // The rate limits have their own tests; the rest sign in far more often than a person would.
        With("RateLimits:Auth:PerClientPerMinute", "1000000");
        With("RateLimits:Auth:PerAddressPerMinute", "1000000");
    }

    /// <summary>A builder whose database is created, fresh, on <paramref name="stores"/> when the host is built.</summary>
    public static ApiHostBuilder On(PlatformStoresFixture stores, string databasePrefix) =>
        new("", stores.Redis.ConnectionString) { stores = stores, databasePrefix = databasePrefix };

    /// <summary>The underwriting suites' host: a fresh database, <paramref name="stub"/> as bureau and fraud service, quick retries, every log record captured.</summary>
    public static ApiHostBuilder ForUnderwriting(PlatformStoresFixture stores, StubBureauAndFraud stub) =>
        On(stores, "underwriting").WithStubbedBureauAndFraud(stub.BaseAddress)
            .With("Underwriting:RetryBaseSeconds", "1")
            .With("Underwriting:RetryPollMs", "100")
            .CapturingLogs();

    public string DatabaseConnectionString { get; private set; }

    internal IReadOnlyDictionary<string, string?> Settings => settings;

    internal IReadOnlyList<Action<IServiceCollection>> TestServices => testServices;

    internal LogLevel? CapturedLevel { get; private set; }

    public ApiHostBuilder With(string key, string? value)
    {
        settings[key] = value;
        return this;
    }

    /// <summary>Replaces or adds services after the API registered its own.</summary>
    public ApiHostBuilder ConfigureServices(Action<IServiceCollection> configure)
    {
        testServices.Add(configure);
        return this;
    }

    /// <summary>Keeps every log record from <paramref name="level"/> up in <see cref="ApiFactory.Logs"/>.</summary>
    public ApiHostBuilder CapturingLogs(LogLevel level = LogLevel.Debug)
    {
        CapturedLevel = level;
        return this;
    }

    /// <summary>Only warnings and errors: for suites that make thousands of requests.</summary>
    public ApiHostBuilder Quiet() => With("Logging:LogLevel:Default", "Warning");

    /// <summary>
    /// Underwriting against <see cref="StubBureauAndFraud"/> with fixed PII keys. These suites check decisions and
    /// e-mails, not the interactive budgets (the benchmark measures those): the first calls of a fresh host on a busy CI
    /// machine must not turn a decision into a pending review.
    /// </summary>
    public ApiHostBuilder WithStubbedBureauAndFraud(string stubBaseAddress) => this
        .With("Pii:ActiveKeyId", TestPiiKeys.KeyId)
        .With($"Pii:EncryptionKeys:{TestPiiKeys.KeyId}", TestPiiKeys.Key)
        .With("Pii:SsnDigestKey", TestPiiKeys.DigestKey)
        .With("Bureau:BaseAddress", stubBaseAddress)
        .With("Fraud:BaseAddress", stubBaseAddress)
        .With("Bureau:TotalTimeoutMs", "2000")
        .With("Bureau:AttemptTimeoutMs", "2000")
        .With("Fraud:ApplicationTimeoutMs", "499")
        .With("Fraud:ApplicationAttemptTimeoutMs", "499");

    public async Task<ApiFactory> BuildAsync()
    {
        if (stores is not null && DatabaseConnectionString.Length == 0)
        {
            DatabaseConnectionString = await stores.Postgres.CreateDatabaseAsync(databasePrefix!);
            With("ConnectionStrings:platform", DatabaseConnectionString);
        }
        return new ApiFactory(this);
    }

    /// <summary>Builds and starts the host: creating the server runs the hosted services, migrations included.</summary>
    public async Task<ApiFactory> StartAsync()
    {
        var factory = await BuildAsync();
        _ = factory.Server;
        return factory;
    }
}

/// <summary>The PII keys the stubbed-underwriting suites seal with (tests read sealed columns back with them).</summary>
public static class TestPiiKeys
{
    public const string KeyId = "test-k1";
    public const string Key = "underwriting-test-encryption-key-0123456789abcdef";
    public const string DigestKey = "underwriting-test-ssn-digest-key-0123456789abcdef";
}
