using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
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

    public ApiFactory Api { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public StubBureauAndFraud Stub { get; private set; } = null!;
    public string SinkDirectory { get; } = Path.Combine(Path.GetTempPath(), "platform-email-tests-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        Stub = await StubBureauAndFraud.StartAsync();
        Api = await ApiHostBuilder.On(stores, "email").WithStubbedBureauAndFraud(Stub.BaseAddress)
            .With("Outbox:PollMs", "50")
            .With("Outbox:RetryBaseMs", "100")
            .With("Email:SinkDirectory", SinkDirectory)
            .CapturingLogs()
            .BuildAsync();
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
