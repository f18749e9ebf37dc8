using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Api.Audit;
using Platform.Testing;

namespace Platform.Api.Tests.Audit;

[Collection(ApiCollection.Name)]
public sealed class AuditTrailTests(PlatformStoresFixture stores)
{
    [Fact]
    public async Task Appended_events_form_an_intact_chain()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 5);

        var report = await VerifyOverHttpAsync(api);

        Assert.True(report.Intact);
        Assert.Equal(5, report.EventsChecked);
        Assert.Null(report.FirstBrokenSequence);
    }

    [Fact]
    public async Task Each_event_links_to_the_hash_of_the_one_before()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        var trail = api.Services.GetRequiredService<IAuditTrail>();

        var first = await trail.AppendAsync(SampleEntry(1));
        var second = await trail.AppendAsync(SampleEntry(2));

        Assert.Equal(1, first.Sequence);
        Assert.Equal(new string('0', 64), first.PreviousHash);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.NotEqual(first.Hash, second.Hash);
    }

    [Theory]
    [InlineData("UPDATE audit.events SET actor_id = 'someone-else' WHERE sequence = 1")]
    [InlineData("DELETE FROM audit.events WHERE sequence = 1")]
    [InlineData("TRUNCATE audit.events")]
    public async Task The_database_refuses_to_change_or_remove_events(string sql)
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 1);
        await using var connection = await api.OpenConnectionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("append-only", error.MessageText);
        Assert.True((await VerifyOverHttpAsync(api)).Intact);
    }

    [Fact]
    public async Task An_edit_forced_past_the_trigger_is_detected_at_that_event()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 4);
        await using var connection = await api.OpenConnectionAsync();

        // What a superuser could do behind the API's back.
        await ExecuteAsync(connection, """
            ALTER TABLE audit.events DISABLE TRIGGER events_append_only;
            UPDATE audit.events SET details = '{"amount": 1}' WHERE sequence = 3;
            ALTER TABLE audit.events ENABLE TRIGGER events_append_only;
            """);

        var report = await VerifyOverHttpAsync(api);

        Assert.False(report.Intact);
        Assert.Equal(3, report.FirstBrokenSequence);
        Assert.Equal(2, report.EventsChecked);
    }

    [Fact]
    public async Task A_deletion_forced_past_the_trigger_is_detected_where_the_gap_is()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 4);
        await using var connection = await api.OpenConnectionAsync();

        await ExecuteAsync(connection, """
            ALTER TABLE audit.events DISABLE TRIGGER events_append_only;
            DELETE FROM audit.events WHERE sequence = 2;
            ALTER TABLE audit.events ENABLE TRIGGER events_append_only;
            """);

        var report = await VerifyOverHttpAsync(api);

        Assert.False(report.Intact);
        Assert.Equal(2, report.FirstBrokenSequence);
    }

    [Fact]
    public async Task A_rewritten_chain_tail_is_detected_by_the_broken_back_link()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 3);
        await using var connection = await api.OpenConnectionAsync();

        // Replacing an event's hash to match edited content still breaks the next event's back-link.
        await ExecuteAsync(connection, """
            ALTER TABLE audit.events DISABLE TRIGGER events_append_only;
            UPDATE audit.events SET hash = sha256('forged'::bytea) WHERE sequence = 2;
            ALTER TABLE audit.events ENABLE TRIGGER events_append_only;
            """);

        var report = await VerifyOverHttpAsync(api);

        Assert.False(report.Intact);
        Assert.Equal(2, report.FirstBrokenSequence);
    }

    [Fact]
    public async Task Concurrent_appends_never_fork_the_chain()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        var trail = api.Services.GetRequiredService<IAuditTrail>();

        var recorded = await Task.WhenAll(Enumerable.Range(1, 60).Select(i => Task.Run(() => trail.AppendAsync(SampleEntry(i)))));

        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), recorded.Select(r => r.Sequence).Order());
        var report = await VerifyOverHttpAsync(api);
        Assert.True(report.Intact);
        Assert.Equal(60, report.EventsChecked);
    }

    [Fact]
    public async Task An_event_appended_in_a_rolled_back_transaction_leaves_no_trace()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        var trail = api.Services.GetRequiredService<IAuditTrail>();
        await using var connection = await api.OpenConnectionAsync();

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await trail.AppendAsync(SampleEntry(1), transaction);
            await transaction.RollbackAsync();
        }
        var next = await trail.AppendAsync(SampleEntry(2));

        Assert.Equal(1, next.Sequence);
        Assert.True((await VerifyOverHttpAsync(api)).Intact);
    }

    [Fact]
    public async Task Services_holding_the_internal_key_can_append()
    {
        await using var api = await ApiFactory.StartAsync(stores, internalApiKey: "test-key");
        using var client = await api.CreateOperatorClientAsync();
        client.DefaultRequestHeaders.Add(InternalApiOptions.KeyHeader, "test-key");

        var response = await client.PostAsJsonAsync("/internal/v1/audit/events", new
        {
            eventType = "sim.settings_changed",
            actorType = "user",
            actorId = "qa@example.com",
            outcome = "success",
            originService = "simcontrol",
            resourceType = "processor-settings",
            resourceId = "processor",
            details = new { before = new { approvalRate = 1.0 }, after = new { approvalRate = 0.7 } },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<ServiceAuditEventResponse>();
        Assert.Equal(1, body!.Sequence);
        Assert.True((await VerifyOverHttpAsync(api)).Intact);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Internal_appends_without_the_right_key_are_refused_and_record_nothing(string? presentedKey)
    {
        await using var api = await ApiFactory.StartAsync(stores, internalApiKey: "test-key");
        using var client = await api.CreateOperatorClientAsync();
        if (presentedKey is not null)
        {
            client.DefaultRequestHeaders.Add(InternalApiOptions.KeyHeader, presentedKey);
        }

        var response = await client.PostAsJsonAsync("/internal/v1/audit/events", new
        {
            eventType = "sim.settings_changed", actorType = "user", actorId = "qa", outcome = "success",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, (await VerifyOverHttpAsync(api)).EventsChecked);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    public async Task Without_the_key_the_body_of_an_internal_append_is_never_read(string body)
    {
        await using var api = await ApiFactory.StartAsync(stores, internalApiKey: "test-key");
        using var client = api.CreateClient();

        var response = await client.PostAsync("/internal/v1/audit/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_invalid_internal_append_is_a_problem_naming_the_fields_and_records_nothing()
    {
        await using var api = await ApiFactory.StartAsync(stores, internalApiKey: "test-key");
        using var client = await api.CreateOperatorClientAsync();
        client.DefaultRequestHeaders.Add(InternalApiOptions.KeyHeader, "test-key");

        var response = await client.PostAsJsonAsync("/internal/v1/audit/events", new
        {
            eventType = "", actorType = "robot", actorId = "qa", outcome = "maybe",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("eventType", out _));
        Assert.True(errors.TryGetProperty("actorType", out _));
        Assert.True(errors.TryGetProperty("outcome", out _));
        Assert.Equal(0, (await VerifyOverHttpAsync(api)).EventsChecked);
    }

    [Fact]
    public async Task Events_are_listed_in_chain_order_page_by_page()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 5);
        using var client = await api.CreateOperatorClientAsync();

        var first = await client.GetFromJsonAsync<AuditEventPage>("/v1/audit/events?limit=3");
        var second = await client.GetFromJsonAsync<AuditEventPage>($"/v1/audit/events?limit=3&afterSequence={first!.NextAfterSequence}");

        Assert.Equal([1L, 2L, 3L], first.Events.Select(e => e.Sequence));
        Assert.Equal(3, first.NextAfterSequence);
        // The first read is itself on the trail, after the five events.
        Assert.Equal([4L, 5L, 6L], second!.Events.Select(e => e.Sequence));
        Assert.Equal("audit.read", second.Events[^1].EventType);
        Assert.Null(second.NextAfterSequence);
        Assert.Equal(first.Events[^1].Hash, second.Events[0].PreviousHash);
    }

    [Fact]
    public async Task Reading_and_verifying_the_trail_are_themselves_audited_with_the_reader()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 2);
        using var client = await api.CreateOperatorClientAsync();
        var operatorId = (await client.GetFromJsonAsync<JsonElement>("/v1/me")).GetProperty("userId").GetString();

        await client.GetFromJsonAsync<AuditEventPage>("/v1/audit/events?eventType=test.event&limit=10");
        await client.GetFromJsonAsync<JsonElement>("/v1/audit/verify");
        var trail = await client.GetFromJsonAsync<AuditEventPage>("/v1/audit/events?afterSequence=2");

        Assert.Equal(["audit.read", "audit.verified"], trail!.Events.Select(e => e.EventType));
        Assert.All(trail.Events, e => Assert.Equal(operatorId, e.ActorId));
        Assert.Equal("test.event", trail.Events[0].Details.GetProperty("eventType").GetString());
        Assert.Equal(2, trail.Events[0].Details.GetProperty("returned").GetInt32());
        Assert.True(trail.Events[1].Details.GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task Events_can_be_filtered_by_resource()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 4);
        using var client = await api.CreateOperatorClientAsync();

        var page = await client.GetFromJsonAsync<AuditEventPage>("/v1/audit/events?resourceType=thing&resourceId=thing-3");

        var only = Assert.Single(page!.Events);
        Assert.Equal("thing-3", only.ResourceId);
        // Details are the object itself, not JSON encoded in a string.
        Assert.Equal(System.Text.Json.JsonValueKind.Object, only.Details.ValueKind);
        Assert.Equal(3, only.Details.GetProperty("n").GetInt32());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("afterSequence=-1", "afterSequence")]
    [InlineData("resourceId=x", "resourceType")]
    public async Task Bad_event_queries_are_problems_naming_the_parameter(string query, string field)
    {
        await using var api = await ApiFactory.StartAsync(stores);
        using var client = await api.CreateOperatorClientAsync();

        var response = await client.GetAsync($"/v1/audit/events?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    private static AuditEntry SampleEntry(int n) => new(
        "test.event",
        AuditActor.System("tests"),
        n % 2 == 0 ? AuditOutcome.Success : AuditOutcome.Failure,
        new AuditOrigin("127.0.0.1", "tests"),
        new AuditResource("thing", $"thing-{n}"),
        JsonSerializer.SerializeToElement(new { n, note = "ünïcode ✓" }));

    private static async Task AppendSampleEventsAsync(ApiFactory api, int count)
    {
        var trail = api.Services.GetRequiredService<IAuditTrail>();
        for (var i = 1; i <= count; i++)
        {
            await trail.AppendAsync(SampleEntry(i));
        }
    }

    private static async Task<AuditChainReport> VerifyOverHttpAsync(ApiFactory api)
    {
        using var client = await api.CreateOperatorClientAsync();
        var report = await client.GetFromJsonAsync<AuditChainReport>("/v1/audit/verify");
        return report!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
