using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.SimControl.Processor;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class ProcessorOperationsTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync(p => p.ApprovalRate = 1);
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_same_idempotency_key_and_body_replays_the_first_answer()
    {
        var first = await Sim.AuthorizeAsync(fixture.Client, 1234, key: "auth-key-1");
        using var again = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(1234), "auth-key-1");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.GetProperty("authorizationId").GetString(), (await again.JsonAsync()).GetProperty("authorizationId").GetString());
        var records = await fixture.Client.GetFromJsonAsync<JsonElement>("/processor/v1/authorizations?cardToken=card_test&limit=1000");
        Assert.Single(records.EnumerateArray(), r => r.GetProperty("authorizationId").GetString() == first.GetProperty("authorizationId").GetString());
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_is_refused()
    {
        await Sim.AuthorizeAsync(fixture.Client, 1000, key: "auth-key-2");

        using var reused = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(2000), "auth-key-2");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_create_one_authorization()
    {
        var answers = await Sim.ManyAsync(6, 6, async _ =>
        {
            using var response = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(777, "card_concurrent"), "auth-key-3");
            return (await response.JsonAsync()).GetProperty("authorizationId").GetString();
        });

        Assert.Single(answers.Distinct());
        var records = await fixture.Client.GetFromJsonAsync<JsonElement>("/processor/v1/authorizations?cardToken=card_concurrent");
        Assert.Equal(1, records.GetArrayLength());
    }

    [Fact]
    public async Task A_mutating_call_without_an_idempotency_key_is_refused()
    {
        using var badInput = ContractValidation.AllowInvalidRequests();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations") { Content = JsonContent.Create(Sim.Authorization()) };
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
    }

    [Fact]
    public async Task Several_partial_captures_complete_by_webhook_up_to_the_approved_amount()
    {
        var auth = await Sim.AuthorizeAsync(fixture.Client, 1000);
        var id = auth.GetProperty("authorizationId").GetString();

        using var first = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/captures", new { amount = 400 });
        using var second = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/captures", new { amount = 600 });
        using var third = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/captures", new { amount = 1 });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("pending", (await first.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        var webhooks = await fixture.Receiver.WaitForAsync(r => r.Headers.GetValueOrDefault("X-Processor-Event-Type") == "capture.succeeded"
            && r.Body.Contains(id!, StringComparison.Ordinal), count: 2);
        Assert.Equal([400, 600], webhooks.Select(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("data").GetProperty("amount").GetInt64()).Order());
        var record = await Poll.UntilAsync(() => fixture.Client.GetFromJsonAsync<JsonElement>($"/processor/v1/authorizations/{id}"),
            r => r.GetProperty("status").GetString() == "captured");
        Assert.Equal(1000, record.GetProperty("capturedAmount").GetInt64());
        Assert.Equal(2, record.GetProperty("operations").GetArrayLength());
    }

    [Fact]
    public async Task A_refund_over_the_captured_amount_is_refused_and_a_smaller_one_completes()
    {
        var id = (await Sim.AuthorizeAsync(fixture.Client, 1000)).GetProperty("authorizationId").GetString();
        using var capture = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/captures", new { amount = 500 });

        using var tooMuch = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/refunds", new { amount = 501 });
        using var refund = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/refunds", new { amount = 200 });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuch.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, refund.StatusCode);
        await fixture.Receiver.WaitForAsync(r => r.Headers.GetValueOrDefault("X-Processor-Event-Type") == "refund.succeeded" && r.Body.Contains(id!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_voided_authorization_cannot_be_captured()
    {
        var id = (await Sim.AuthorizeAsync(fixture.Client, 1000)).GetProperty("authorizationId").GetString();

        using var voided = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/void", null);
        using var capture = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{id}/captures", new { amount = 100 });

        Assert.Equal(HttpStatusCode.Accepted, voided.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, capture.StatusCode);
        await fixture.Receiver.WaitForAsync(r => r.Headers.GetValueOrDefault("X-Processor-Event-Type") == "void.succeeded" && r.Body.Contains(id!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_virtual_card_is_active_at_once_and_only_the_issue_answer_has_the_full_number()
    {
        using var issued = await Sim.PostAsync(fixture.Client, "/processor/v1/cards", new { type = "virtual", cardholderName = "PAT EXAMPLE", reference = "acct-1" }, "card-key-1");
        using var replay = await Sim.PostAsync(fixture.Client, "/processor/v1/cards", new { type = "virtual", cardholderName = "PAT EXAMPLE", reference = "acct-1" }, "card-key-1");

        Assert.Equal(HttpStatusCode.Accepted, issued.StatusCode);
        var card = await issued.JsonAsync();
        var pan = card.GetProperty("pan").GetString()!;
        Assert.Equal("active", card.GetProperty("status").GetString());
        Assert.Equal(16, pan.Length);
        Assert.True(CardNumbers.IsLuhnValid(pan));
        // The number is told once: a replay of the key (whoever sends it) gets the card without number or CVV.
        var replayed = await replay.JsonAsync();
        Assert.Equal(card.GetProperty("cardToken").GetString(), replayed.GetProperty("cardToken").GetString());
        Assert.True(!replayed.TryGetProperty("pan", out var replayedPan) || replayedPan.ValueKind == JsonValueKind.Null, replayed.ToString());
        Assert.True(!replayed.TryGetProperty("cvv", out var replayedCvv) || replayedCvv.ValueKind == JsonValueKind.Null, replayed.ToString());
        Assert.DoesNotContain(pan, replayed.ToString(), StringComparison.Ordinal);
        var token = card.GetProperty("cardToken").GetString();
        var stored = await fixture.Client.GetStringAsync($"/processor/v1/cards/{token}");
        Assert.DoesNotContain(pan, stored, StringComparison.Ordinal);
        Assert.Contains(pan[^4..], stored, StringComparison.Ordinal);
        var webhook = (await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(token!, StringComparison.Ordinal))).Single();
        Assert.Equal("card.activated", webhook.Headers["X-Processor-Event-Type"]);
        Assert.DoesNotContain(pan, webhook.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_physical_card_goes_pending_then_shipped_then_delivered()
    {
        using var issued = await Sim.PostAsync(fixture.Client, "/processor/v1/cards", new { type = "physical", cardholderName = "PAT EXAMPLE" });
        var card = await issued.JsonAsync();
        var token = card.GetProperty("cardToken").GetString()!;

        var webhooks = await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(token, StringComparison.Ordinal), count: 2);

        Assert.Equal("pending", card.GetProperty("status").GetString());
        // Delivery order is not guaranteed (as with real processors); the envelope's createdAt is.
        Assert.Equal(["card.shipped", "card.delivered"], webhooks
            .Select(w => System.Text.Json.JsonDocument.Parse(w.Body).RootElement)
            .OrderBy(e => e.GetProperty("createdAt").GetDateTimeOffset()).Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("active", (await fixture.Client.GetFromJsonAsync<JsonElement>($"/processor/v1/cards/{token}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_physical_card_can_fail_delivery_and_is_then_declined()
    {
        await fixture.ResetAsync(p => p.Operations["issueCard"] = new() { ApprovalRate = 0 });
        using var issued = await Sim.PostAsync(fixture.Client, "/processor/v1/cards", new { type = "physical", cardholderName = "PAT EXAMPLE" });
        var token = (await issued.JsonAsync()).GetProperty("cardToken").GetString()!;

        await fixture.Receiver.WaitForAsync(r => r.Path == "/webhooks" && r.Body.Contains(token, StringComparison.Ordinal) && r.Headers.GetValueOrDefault("X-Processor-Event-Type") == "card.failed");
        var key = Guid.NewGuid().ToString("N");
        // Forced approval, so the card's state is what declines it.
        using var auth = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(100, token), key, scenario: "approve");
        var answer = await auth.JsonAsync();

        Assert.Equal("14", answer.GetProperty("responseCode").GetString());
        Assert.False(answer.GetProperty("approved").GetBoolean());
        Assert.Equal(0, answer.GetProperty("approvedAmount").GetInt64());
        // The stored answer is the decline too: a retry with the key replays it, word for word.
        using var replay = await Sim.PostAsync(fixture.SecondClient, "/processor/v1/authorizations", Sim.Authorization(100, token), key, scenario: "approve");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(answer.GetRawText(), (await replay.JsonAsync()).GetRawText());
        var recorded = await fixture.Client.GetFromJsonAsync<JsonElement>($"/processor/v1/authorizations/{answer.GetProperty("authorizationId").GetString()}");
        Assert.Equal("declined", recorded.GetProperty("status").GetString());
    }
}
