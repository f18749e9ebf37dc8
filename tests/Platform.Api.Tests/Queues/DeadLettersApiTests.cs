using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Platform.Api.Tests.Money;
using Platform.Data.Queues;
using Platform.Testing;

namespace Platform.Api.Tests.Queues;

/// <summary>
/// Operators see what every durable queue gave up on and send it round again: here an outbox message no handler
/// acknowledges, which dies after <c>Outbox:MaxAttempts</c> (3) quick attempts.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DeadLettersApiTests(PlatformStoresFixture stores) : IAsyncLifetime
{
    private const string UnhandledKind = "test.unhandled";
    private string database = null!;
    private WebApplicationFactory<Program> api = null!;
    private HttpClient operatorClient = null!;

    public async Task InitializeAsync()
    {
        var factory = await ApiHostBuilder.On(stores, "deadletters")
            .With("Outbox:PollMs", "20")
            .With("Outbox:RetryBaseMs", "10")
            .With("Outbox:RetryMaxMs", "20")
            .With("Outbox:MaxAttempts", "3")
            .BuildAsync();
        (api, database) = (factory, factory.DatabaseConnectionString);
        operatorClient = await api.CreateOperatorClientAsync();
    }

    public async Task DisposeAsync()
    {
        operatorClient.Dispose();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task An_outbox_message_never_acknowledged_is_listed_as_a_dead_letter_after_its_attempts()
    {
        var (id, subject) = await EnqueueUnhandledAsync();

        var dead = await DeadLetterAsync(id);

        Assert.Equal($"{UnhandledKind} {subject}", dead.Summary);
        Assert.Equal(3, dead.Attempts);
        Assert.Contains("No handler", dead.LastError);
        Assert.NotNull(dead.DeadSince);
        Assert.Equal("dead", await ScalarAsync<string>("select status from core.outbox where outbox_id = @id", new { id }));
    }

    [Fact]
    public async Task A_retried_dead_letter_gets_a_fresh_round_of_attempts_and_the_retry_is_audited()
    {
        var (id, _) = await EnqueueUnhandledAsync();
        var first = await DeadLetterAsync(id);

        var retry = await operatorClient.PostAsync($"/v1/queues/outbox/dead-letters/{id}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        // Claimed and refused three times again, so dead once more, later.
        var second = await Poll.UntilAsync(() => DeadLetterOrNullAsync(id), d => d is not null && d.DeadSince > first.DeadSince);
        Assert.Equal(3, second!.Attempts);
        Assert.Equal(1, await ScalarAsync<long>(
            "select count(*) from audit.events where event_type = 'queue.dead_letter_retried' and resource_type = 'queue-item' and resource_id = @resource and actor_type = 'user'",
            new { resource = $"outbox/{id}" }));
    }

    [Fact]
    public async Task Only_a_dead_letter_can_be_retried_and_unknown_queues_or_items_are_not_found()
    {
        var pending = await InsertAsync("test.later", TimeSpan.FromHours(1));

        var notDead = await operatorClient.PostAsync($"/v1/queues/outbox/dead-letters/{pending}/retry", null);
        var unknownItem = await operatorClient.PostAsync("/v1/queues/outbox/dead-letters/987654321/retry", null);
        var notAnId = await operatorClient.PostAsync("/v1/queues/outbox/dead-letters/not-an-id/retry", null);
        var unknownQueue = await operatorClient.GetAsync("/v1/queues/nowhere/dead-letters");

        Assert.Equal(HttpStatusCode.Conflict, notDead.StatusCode);
        Assert.Equal("application/problem+json", notDead.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknownItem.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownQueue.StatusCode);
        Assert.Equal(0, await ScalarAsync<int>("select attempts from core.outbox where outbox_id = @id", new { id = pending }));
    }

    [Fact]
    public async Task Dead_letters_are_for_operators_only()
    {
        var (customer, _) = await api.CreateCustomerClientAsync(database);
        using var anonymous = api.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("/v1/queues/outbox/dead-letters")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.PostAsync("/v1/queues/outbox/dead-letters/1/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/queues/outbox/dead-letters")).StatusCode);
        customer.Dispose();
    }

    private async Task<(long Id, Guid Subject)> EnqueueUnhandledAsync()
    {
        var subject = Guid.NewGuid();
        return (await InsertAsync(UnhandledKind, TimeSpan.Zero, subject), subject);
    }

    private async Task<long> InsertAsync(string kind, TimeSpan delay, Guid? subject = null) =>
        await ScalarAsync<long>("insert into core.outbox (kind, subject_id, next_attempt_at, created_at) values (@kind, @subject, now() + @delay, now()) returning outbox_id",
            new { kind, subject = subject ?? Guid.NewGuid(), delay });

    private async Task<DeadLetter> DeadLetterAsync(long id) => (await Poll.UntilAsync(() => DeadLetterOrNullAsync(id), d => d is not null))!;

    private async Task<DeadLetter?> DeadLetterOrNullAsync(long id) =>
        (await operatorClient.GetFromJsonAsync<List<DeadLetter>>("/v1/queues/outbox/dead-letters"))!.SingleOrDefault(d => d.Id == id.ToString());

    private async Task<T?> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(database);
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }
}
