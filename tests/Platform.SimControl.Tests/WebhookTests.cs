using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.SimControl.Processor;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class WebhookTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync(p => p.ApprovalRate = 1);
    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> CaptureAsync()
    {
        var id = (await Sim.AuthorizeAsync(fixture.Client, 1000)).GetProperty("authorizationId").GetString()!;
        using var capture = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/captures", new { amount = 1000 });
        Assert.Equal(HttpStatusCode.Accepted, capture.StatusCode);
        return id;
    }

    [Fact]
    public async Task Webhooks_carry_a_valid_hmac_signature_over_timestamp_and_body()
    {
        var id = await CaptureAsync();

        var webhook = (await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(id, StringComparison.Ordinal))).Single();

        Assert.True(WebhookSignature.Verify(SimControlFactory.WebhookSecret, webhook.Headers["X-Processor-Timestamp"], webhook.Body, webhook.Headers["X-Processor-Signature"]));
        Assert.False(WebhookSignature.Verify("another-secret-entirely", webhook.Headers["X-Processor-Timestamp"], webhook.Body, webhook.Headers["X-Processor-Signature"]));
        Assert.False(WebhookSignature.Verify(SimControlFactory.WebhookSecret, webhook.Headers["X-Processor-Timestamp"], webhook.Body.Replace("1000", "9000"), webhook.Headers["X-Processor-Signature"]));
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(webhook.Headers["X-Processor-Timestamp"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task A_failing_receiver_gets_the_webhook_again_with_backoff_until_it_acknowledges()
    {
        fixture.Receiver.Respond = (path, n) => path == "/webhooks" && n <= 2 ? 503 : 200;
        var id = await CaptureAsync();

        var delivered = (await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(id, StringComparison.Ordinal))).Single();

        Assert.Equal("3", delivered.Headers["X-Processor-Delivery-Attempt"]);
        Assert.True(WebhookSignature.Verify(SimControlFactory.WebhookSecret, delivered.Headers["X-Processor-Timestamp"], delivered.Body, delivered.Headers["X-Processor-Signature"]));
        var webhookId = delivered.Headers["X-Processor-Webhook-Id"];
        var record = await Poll.UntilAsync(
            async () => (await fixture.Client.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000"))
                .EnumerateArray().Single(w => w.GetProperty("webhookId").GetString() == webhookId),
            w => w.GetProperty("status").GetString() == "delivered");
        Assert.Equal(3, record.GetProperty("attempts").GetInt32());
        // Base 100 ms doubling: the third attempt comes at least 100 + 200 ms after the first.
        Assert.True(record.GetProperty("deliveredAt").GetDateTimeOffset() - record.GetProperty("createdAt").GetDateTimeOffset() >= TimeSpan.FromMilliseconds(290));
    }

    [Fact]
    public async Task A_delivered_webhook_can_be_listed_and_replayed()
    {
        var id = await CaptureAsync();
        var first = (await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(id, StringComparison.Ordinal))).Single();
        var webhookId = first.Headers["X-Processor-Webhook-Id"];

        using var replay = await fixture.Client.PostAsync($"/processor/v1/webhooks/{webhookId}/replay", null);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var both = await fixture.Receiver.WaitForAsync(r => r.Headers.GetValueOrDefault("X-Processor-Webhook-Id") == webhookId, count: 2);
        Assert.Equal(first.Body, both[1].Body);
    }

    [Fact]
    public async Task Webhooks_are_delivered_once_with_two_instances_running()
    {
        var ids = new List<string>();
        for (var i = 0; i < 10; i++) ids.Add(await CaptureAsync());

        await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && ids.Any(id => r.Body.Contains(id, StringComparison.Ordinal)), count: 10);

        // Each claim counts an attempt, so a webhook both instances had sent would show two.
        var records = (await fixture.SecondClient.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000"))
            .EnumerateArray().Where(w => ids.Any(id => w.GetProperty("payload").GetRawText().Contains(id, StringComparison.Ordinal))).ToList();
        Assert.Equal(10, records.Count);
        Assert.All(records, w => Assert.Equal(1, w.GetProperty("attempts").GetInt32()));
        Assert.Equal(10, fixture.Receiver.Requests.Count(r => r.Path == "/webhooks" && ids.Any(id => r.Body.Contains(id, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task With_duplicate_rate_one_every_webhook_arrives_twice_at_once_with_the_same_id_and_body()
    {
        await fixture.ResetAsync(p => { p.ApprovalRate = 1; p.WebhookDuplicateRate = 1; });
        var id = await CaptureAsync();

        var copies = await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(id, StringComparison.Ordinal), count: 2);

        Assert.Equal(2, copies.Count);
        Assert.Equal(copies[0].Headers["X-Processor-Webhook-Id"], copies[1].Headers["X-Processor-Webhook-Id"]);
        Assert.Equal(copies[0].Body, copies[1].Body);
        Assert.All(copies, c => Assert.True(WebhookSignature.Verify(SimControlFactory.WebhookSecret, c.Headers["X-Processor-Timestamp"], c.Body, c.Headers["X-Processor-Signature"])));
        // One delivery in the log: the copy is the sender's doing, not a retry.
        var record = await Poll.UntilAsync(
            async () => (await fixture.Client.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000"))
                .EnumerateArray().Single(w => w.GetProperty("webhookId").GetString() == copies[0].Headers["X-Processor-Webhook-Id"]),
            w => w.GetProperty("status").GetString() == "delivered");
        Assert.Equal(1, record.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_reordered_webhook_is_held_back_and_a_later_one_overtakes_it()
    {
        await fixture.ResetAsync(p => { p.ApprovalRate = 1; p.WebhookReorderRate = 1; p.WebhookReorderDelayMs = 3_000; });
        var first = await CaptureAsync();
        var heldBack = await Poll.UntilAsync(
            async () => (await fixture.Client.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000"))
                .EnumerateArray().FirstOrDefault(w => w.GetProperty("payload").GetRawText().Contains(first, StringComparison.Ordinal)),
            w => w.ValueKind == JsonValueKind.Object && w.GetProperty("lastError").GetString() is { } e && e.Contains("webhookReorderRate", StringComparison.Ordinal));
        var settings = await fixture.Store.GetProcessorSettingsAsync();
        settings.WebhookReorderRate = 0;
        Assert.True((await fixture.Store.UpdateProcessorSettingsAsync(settings, Platform.SimControl.Settings.SettingsActor.System)).Succeeded);

        var second = await CaptureAsync();

        var both = await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && (r.Body.Contains(first, StringComparison.Ordinal) || r.Body.Contains(second, StringComparison.Ordinal)),
            count: 2, timeoutMs: 15_000);
        Assert.Contains(second, both[0].Body, StringComparison.Ordinal);
        Assert.Contains(first, both[1].Body, StringComparison.Ordinal);
        Assert.Equal(heldBack.GetProperty("webhookId").GetString(), both[1].Headers["X-Processor-Webhook-Id"]);
    }
}
