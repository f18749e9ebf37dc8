using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Api.Audit;
using Platform.Testing;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Audit;

[Collection(ApiCollection.Name)]
public sealed class AuditTrailTests(PlatformStoresFixture stores)
{
    [Fact]
    public async Task Appended_events_are_sealed_into_an_intact_spine()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 5);

        var report = await SealedReportAsync(api);

        Assert.True(report.Intact);
        Assert.Equal(5, report.EventsChecked);
        Assert.Null(report.FirstBrokenSequence);
        Assert.True(report.BlocksChecked >= 1);
    }

    [Fact]
    public async Task Each_block_links_to_the_hash_of_the_block_before_and_listed_events_name_their_block()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 2);
        await SealedReportAsync(api);
        await AppendSampleEventsAsync(api, 2);
        await SealedReportAsync(api);

        await using var connection = await api.OpenConnectionAsync();
        var blocks = new List<(long Number, byte[] PreviousHash, byte[] Hash)>();
        await using (var command = new NpgsqlCommand("SELECT block_number, previous_hash, hash FROM audit.blocks ORDER BY block_number", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) blocks.Add((reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2)));
        using var client = await api.CreateOperatorClientAsync();
        var page = await client.GetFromJsonAsync<AuditEventPage>("/v1/audit/events?eventType=test.event");

        Assert.True(blocks.Count >= 2);
        Assert.Equal(new byte[32], blocks[0].PreviousHash);
        for (var i = 1; i < blocks.Count; i++) Assert.Equal(blocks[i - 1].Hash, blocks[i].PreviousHash);
        Assert.All(page!.Events, e => Assert.NotNull(e.Block));
        Assert.True(page.Events[^1].Block > page.Events[0].Block);
    }

    [Theory]
    [InlineData("UPDATE audit.events SET actor_id = 'someone-else' WHERE sequence = 1")]
    [InlineData("DELETE FROM audit.events WHERE sequence = 1")]
    [InlineData("TRUNCATE audit.events")]
    [InlineData("UPDATE audit.blocks SET event_count = 2")]
    [InlineData("DELETE FROM audit.blocks")]
    public async Task The_database_refuses_to_change_or_remove_events_and_blocks(string sql)
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 1);
        await SealedReportAsync(api);
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
        await SealedReportAsync(api);
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
    public async Task A_deletion_forced_past_the_trigger_is_detected_in_its_block()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 4);
        await SealedReportAsync(api);
        await using var connection = await api.OpenConnectionAsync();

        await ExecuteAsync(connection, """
            ALTER TABLE audit.events DISABLE TRIGGER events_append_only;
            DELETE FROM audit.events WHERE sequence = 2;
            ALTER TABLE audit.events ENABLE TRIGGER events_append_only;
            """);

        var report = await VerifyOverHttpAsync(api);

        Assert.False(report.Intact);
        Assert.Contains("removed", report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_with_a_recomputed_hash_is_detected_by_its_blocks_merkle_root()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await AppendSampleEventsAsync(api, 3);
        await SealedReportAsync(api);
        await using var connection = await api.OpenConnectionAsync();
        // The forger edits an event and gives it the hash its new content has: the event now agrees with itself,
        // but not with the block that sealed it.
        Platform.Data.RowMapping.Configure();
        var original = (await connection.QuerySingleAsync<AuditEventRow>($"SELECT {StoredAuditEvent.SelectColumns} FROM audit.events WHERE sequence = 2"))
            .ToStored().Event;
        var forged = original with { ActorId = "someone-else" };
        await ExecuteAsync(connection, "ALTER TABLE audit.events DISABLE TRIGGER events_append_only");
        await using (var update = new NpgsqlCommand("UPDATE audit.events SET actor_id = 'someone-else', hash = $1 WHERE sequence = 2", connection)
            { Parameters = { new() { Value = forged.ComputeHash() } } })
            await update.ExecuteNonQueryAsync();
        await ExecuteAsync(connection, "ALTER TABLE audit.events ENABLE TRIGGER events_append_only");

        var report = await VerifyOverHttpAsync(api);

        Assert.False(report.Intact);
        Assert.Contains("Merkle root", report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_appends_take_no_lock_and_are_all_sealed_exactly_once()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        var trail = api.Services.GetRequiredService<IAuditTrail>();

        var recorded = await Task.WhenAll(Enumerable.Range(1, 60).Select(i => Task.Run(() => trail.AppendAsync(SampleEntry(i)))));

        Assert.Equal(60, recorded.Select(r => r.Sequence).Distinct().Count());
        var report = await SealedReportAsync(api);
        Assert.True(report.Intact);
        Assert.Equal(60, report.EventsChecked);
        await using var connection = await api.OpenConnectionAsync();
        await using var sealedEvents = new NpgsqlCommand("SELECT sum(event_count) FROM audit.blocks", connection);
        Assert.Equal(60L, (long)(await sealedEvents.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Events_are_sealed_in_transaction_id_order_across_a_change_in_digit_count()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await using var connection = await api.OpenConnectionAsync();
        // Two events whose writing transactions' ids have two and three digits: sorted as text, "105" would come
        // before "97" (the stack found this once its transaction ids passed 999).
        foreach (var (txid, sequence) in new[] { (97L, 1_000_001L), (105L, 1_000_000L) })
        {
            var stored = new StoredAuditEvent(sequence, Guid.NewGuid(), new DateTime(2026, 1, 15, 10, 0, 0, DateTimeKind.Utc), "system", "test", "test.event", "success",
                null, null, null, null, "{}", AuditHash.Genesis);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO audit.events (sequence, event_id, occurred_at, actor_type, actor_id, event_type, outcome, details, previous_hash, hash, txid)
                VALUES ($1, $2, $3, 'system', 'test', 'test.event', 'success', '{}', $4, $5, $6::text::xid8)
                """, connection)
            {
                Parameters =
                {
                    new() { Value = sequence }, new() { Value = stored.EventId }, new() { Value = stored.OccurredAtUtc },
                    new() { Value = AuditHash.Genesis }, new() { Value = stored.ComputeHash() }, new() { Value = txid.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            };
            await insert.ExecuteNonQueryAsync();
        }

        var report = await SealedReportAsync(api);

        Assert.True(report.Intact, report.Problem);
        Assert.Equal(2, report.EventsChecked);
    }

    [Fact]
    public async Task An_event_that_commits_late_is_sealed_in_order_and_not_skipped()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        var trail = api.Services.GetRequiredService<IAuditTrail>();
        await using var connection = await api.OpenConnectionAsync();
        await using var slow = await connection.BeginTransactionAsync();
        var early = await trail.AppendAsync(SampleEntry(1), slow);

        // A later transaction's event commits first; while the earlier transaction runs, neither may be sealed,
        // or the earlier one would land behind a block that claims to hold everything before it.
        var later = await trail.AppendAsync(SampleEntry(2));
        await Task.Delay(600);
        var whileOpen = await VerifyOverHttpAsync(api);
        await slow.CommitAsync();
        var report = await SealedReportAsync(api);

        Assert.True(whileOpen.Intact);
        Assert.True(whileOpen.UnsealedEvents >= 1);
        Assert.Equal(0, whileOpen.BlocksChecked);
        Assert.True(report.Intact);
        Assert.True(early.Sequence < later.Sequence);
        Assert.Equal(0, report.UnsealedEvents);
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

        // The rolled-back event used up a sequence number (sequences are not transactional) and nothing else.
        var report = await SealedReportAsync(api);
        Assert.Equal(2, next.Sequence);
        Assert.True(report.Intact);
        Assert.Equal(1, report.EventsChecked);
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
        using var client = api.CreateContractClient();

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

    /// <summary>The report once everything appended so far is sealed (the sealer runs every 200 ms).</summary>
    private static async Task<AuditChainReport> SealedReportAsync(ApiFactory api)
    {
        var verifier = api.Services.GetRequiredService<AuditChainVerifier>();
        for (var attempt = 0; ; attempt++)
        {
            var report = await verifier.VerifyAsync(CancellationToken.None);
            if (!report.Intact || report.UnsealedEvents == 0 || attempt == 100) return report;
            await Task.Delay(100);
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
