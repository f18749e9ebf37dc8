using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Api.Email;
using Platform.Api.Tests.Money;
using Platform.Api.Tests.Underwriting;
using Platform.Testing;

namespace Platform.Api.Tests.Email;

[CollectionDefinition(Name)]
public sealed class EmailCollection : ICollectionFixture<EmailFixture>
{
    public const string Name = "email";
}

/// <summary>
/// The real API in-process on a fresh database, with underwriting's bureau and fraud answered by
/// <see cref="StubBureauAndFraud"/>, quick outbox and mailer polls, every log record captured, and the console sink
/// writing into a folder of this fixture's own.
/// </summary>
public sealed class EmailFixture : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();

    public EmailApiFactory Api { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public StubBureauAndFraud Stub { get; private set; } = null!;
    public string SinkDirectory { get; } = Path.Combine(Path.GetTempPath(), "platform-email-tests-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        Stub = await StubBureauAndFraud.StartAsync();
        var database = await stores.Postgres.CreateDatabaseAsync("email");
        Api = new EmailApiFactory(database, stores.Redis.ConnectionString, Stub.BaseAddress, SinkDirectory);
        Client = await Api.CreateOperatorClientAsync();
    }

    public IEmailOutbox Outbox => Api.Services.GetRequiredService<IEmailOutbox>();

    public async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        var connection = new NpgsqlConnection(Api.DatabaseConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>Waits until the e-mail is marked sent, then reads what the sink wrote for it.</summary>
    public async Task<SunkEmail> SentAsync(Guid emailId)
    {
        var location = await Poll.UntilAsync(() => ScalarAsync<string>("select location from core.emails where email_id = $1 and status = 'sent'", emailId),
            location => location is not null);
        return await SunkEmail.ReadAsync(location!);
    }

    public async Task DisposeAsync()
    {
        try
        {
            Client.Dispose();
            await Api.DisposeAsync();
            await Stub.DisposeAsync();
        }
        finally
        {
            await stores.DisposeAsync();
            if (Directory.Exists(SinkDirectory)) Directory.Delete(SinkDirectory, recursive: true);
        }
    }
}

public sealed class EmailApiFactory(string database, string redis, string stubBaseAddress, string sinkDirectory) : WebApplicationFactory<Program>
{
    public string DatabaseConnectionString { get; } = database;
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:platform", DatabaseConnectionString);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("InternalApi:Key", "");
        builder.UseSetting("Processor:WebhookSecret", "email-tests-webhook-secret-0123456789");
        builder.UseSetting("Pii:ActiveKeyId", UnderwritingApiFactory.TestKeyId);
        builder.UseSetting($"Pii:EncryptionKeys:{UnderwritingApiFactory.TestKeyId}", UnderwritingApiFactory.TestKey);
        builder.UseSetting("Pii:SsnDigestKey", UnderwritingApiFactory.TestDigestKey);
        builder.UseSetting("Bureau:BaseAddress", stubBaseAddress);
        builder.UseSetting("Fraud:BaseAddress", stubBaseAddress);
        // These tests check decisions and e-mails, not the interactive budgets (the benchmark measures those): the
        // first calls of a fresh host on a busy CI machine must not turn a decision into a pending review.
        builder.UseSetting("Bureau:TotalTimeoutMs", "2000");
        builder.UseSetting("Bureau:AttemptTimeoutMs", "2000");
        builder.UseSetting("Fraud:ApplicationTimeoutMs", "499");
        builder.UseSetting("Fraud:ApplicationAttemptTimeoutMs", "499");
        builder.UseSetting("Outbox:PollMs", "50");
        builder.UseSetting("Outbox:RetryBaseMs", "100");
        builder.UseSetting("Email:SinkDirectory", sinkDirectory);
        builder.UseTestOperator();
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddProvider(Logs);
        });
    }
}

/// <summary>What the console sink wrote for one e-mail.</summary>
public sealed record SunkEmail(string Folder, SinkMetadata Metadata, string Html, string Text, IReadOnlyDictionary<string, byte[]> Attachments)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<SunkEmail> ReadAsync(string folder)
    {
        var metadata = JsonSerializer.Deserialize<SinkMetadata>(await File.ReadAllTextAsync(Path.Combine(folder, ConsoleEmailSink.MetadataFile)), Json)!;
        var attachments = new Dictionary<string, byte[]>();
        foreach (var file in Directory.GetFiles(Path.Combine(folder, ConsoleEmailSink.AttachmentsFolder)))
            attachments[Path.GetFileName(file)] = await File.ReadAllBytesAsync(file);
        return new SunkEmail(folder, metadata,
            await File.ReadAllTextAsync(Path.Combine(folder, ConsoleEmailSink.HtmlFile)),
            await File.ReadAllTextAsync(Path.Combine(folder, ConsoleEmailSink.TextFile)),
            attachments);
    }
}
