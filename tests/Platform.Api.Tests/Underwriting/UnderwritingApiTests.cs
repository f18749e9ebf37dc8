using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Platform.Api.Underwriting;
using Platform.Testing;

namespace Platform.Api.Tests.Underwriting;

/// <summary>
/// POST /v1/applications and /v1/prequalifications through the real API, PostgreSQL and Redis, with the bureau and
/// fraud service stubbed per SSN (their real behaviour is covered end to end against bureau-sim).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class UnderwritingApiTests(PlatformStoresFixture stores) : IAsyncLifetime
{
    private StubBureauAndFraud stub = null!;
    private ApiFactory api = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        stub = await StubBureauAndFraud.StartAsync();
        api = await ApiHostBuilder.ForUnderwriting(stores, stub).StartAsync();
        client = await api.CreateOperatorClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await api.DisposeAsync();
        await stub.DisposeAsync();
    }

    [Fact]
    public async Task An_approved_application_opens_an_account_with_the_limit_and_requests_a_virtual_card()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);

        var response = await client.PostAsJsonAsync("/v1/applications", TestApplicants.Application(ssn));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var application = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("approved", application.GetProperty("status").GetString());
        var decision = application.GetProperty("decision");
        var limit = decision.GetProperty("creditLimit").GetInt64();
        Assert.True(limit > 0);
        Assert.True(decision.GetProperty("apr").GetDecimal() > 0);
        var accountId = application.GetProperty("accountId").GetGuid();
        var cardId = application.GetProperty("cardId").GetGuid();
        Assert.Equal(limit, await api.CountAsync("select credit_limit from core.accounts where account_id = $1", accountId));
        Assert.Equal(1, await api.CountAsync("select count(*) from core.cards where card_id = $1 and account_id = $2 and card_type = 'virtual'", cardId, accountId));
        Assert.Equal(1, await api.CountAsync("select count(*) from core.outbox where kind = 'card.issue' and subject_id = $1", cardId));
        Assert.Equal(1, stub.PullsFor(ssn, "hard"));
    }

    [Fact]
    public async Task A_declined_application_records_policy_version_inputs_score_disclosure_and_reasons()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(540);

        var application = await ApplyAsync(ssn);

        Assert.Equal("declined", application.GetProperty("status").GetString());
        var decision = application.GetProperty("decision");
        var reasons = decision.GetProperty("reasons").EnumerateArray().ToList();
        Assert.InRange(reasons.Count, 2, 4);
        Assert.Equal("SCORE_BELOW_MINIMUM", reasons[0].GetProperty("code").GetString());
        Assert.Contains("540", reasons[0].GetProperty("text").GetString());
        Assert.Equal(540, decision.GetProperty("scoreUsed").GetProperty("score").GetInt32());
        Assert.Equal(300, decision.GetProperty("scoreUsed").GetProperty("rangeMin").GetInt32());
        Assert.Equal(JsonValueKind.Null, application.GetProperty("accountId").ValueKind);

        var id = application.GetProperty("id").GetGuid();
        await using var connection = await api.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<StoredDecision>(
            "select policy_version, inputs->>'score' as score, inputs->>'annualIncome' as annual_income, bureau_pull_id is not null as has_pull from core.credit_decisions where application_id = @id",
            new { id });
        Assert.Equal(decision.GetProperty("policyVersion").GetString(), stored.PolicyVersion);
        Assert.Equal("540", stored.Score);
        Assert.Equal("9500000", stored.AnnualIncome);
        Assert.True(stored.HasPull);
    }

    [Fact]
    public async Task Every_decision_and_pull_is_on_the_audit_spine_and_requests_a_decision_email()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(540);

        var id = (await ApplyAsync(ssn)).GetProperty("id").GetGuid().ToString();

        Assert.Equal(1, await api.CountAsync("select count(*) from audit.events where event_type = 'credit.decision' and resource_id = $1", id));
        Assert.Equal(1, await api.CountAsync(
            "select count(*) from audit.events where event_type = 'bureau.pull' and details->>'subjectId' = $1 and details->>'inquiryType' = 'hard' and details->>'permissiblePurpose' is not null", id));
        Assert.Equal(1, await api.CountAsync(
            "select count(*) from core.outbox o join core.credit_decisions d on d.decision_id = o.subject_id where d.application_id = $1::uuid and o.kind = 'email.credit-decision' and o.payload->>'recipient' = 'grace.hopper@example.com'", id));
    }

    [Fact]
    public async Task A_frozen_file_waits_in_review_for_a_person()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(null, Frozen: true);

        var application = await ApplyAsync(ssn);

        Assert.Equal("pending_review", application.GetProperty("status").GetString());
        Assert.Equal("CREDIT_FILE_FROZEN", application.GetProperty("decision").GetProperty("reasons")[0].GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, application.GetProperty("nextAttemptAt").ValueKind);
    }

    [Fact]
    public async Task Bureau_down_leaves_the_application_in_review_and_the_worker_approves_it_once_the_bureau_answers()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = StubBureauAnswer.Unavailable;

        var application = await ApplyAsync(ssn);
        Assert.Equal("pending_review", application.GetProperty("status").GetString());
        Assert.Equal(DecisionEngine.BureauUnavailable, application.GetProperty("decision").GetProperty("reasons")[0].GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, application.GetProperty("accountId").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, application.GetProperty("nextAttemptAt").ValueKind);

        stub.Answers[ssn] = new StubBureauAnswer(780);
        var id = application.GetProperty("id").GetGuid();
        var decided = await PollAsync(id, a => a.GetProperty("status").GetString() != "pending_review");

        Assert.Equal("approved", decided.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, decided.GetProperty("accountId").ValueKind);
        Assert.Equal(JsonValueKind.Null, decided.GetProperty("nextAttemptAt").ValueKind);
        // The worker's SSN read for the retry is audited like any other.
        Assert.True(await api.CountAsync("select count(*) from audit.events where event_type = 'pii.read' and resource_id = $1 and actor_id = 'api-worker'", id.ToString()) >= 1);
        // One e-mail for "we are waiting for the bureau", one for the approval.
        Assert.Equal(2, await api.CountAsync(
            "select count(*) from core.outbox o join core.credit_decisions d on d.decision_id = o.subject_id where d.application_id = $1 and o.kind = 'email.credit-decision'", id));
    }

    [Fact]
    public async Task An_application_the_worker_cannot_evaluate_neither_stops_the_worker_nor_is_retried_for_ever()
    {
        var unreadable = await ApplyWhileBureauDownAsync();
        var exhausted = await ApplyWhileBureauDownAsync();
        var recovering = await ApplyWhileBureauDownAsync();
        // A key retired too early: the worker cannot open this applicant's SSN.
        await api.CountAsync("update core.applications set pii_key_id = 'retired-too-early' where application_id = $1 returning 1", unreadable.Id);
        await api.CountAsync("update core.applications set attempts = 20 where application_id = $1 returning 1", exhausted.Id);

        stub.DefaultAnswer = new StubBureauAnswer(780);
        foreach (var ssn in new[] { unreadable.Ssn, exhausted.Ssn, recovering.Ssn }) stub.Answers.TryRemove(ssn, out _);
        var decided = await PollAsync(recovering.Id, a => a.GetProperty("status").GetString() == "approved");
        var givenUp = await PollAsync(exhausted.Id, a => a.GetProperty("nextAttemptAt").ValueKind == JsonValueKind.Null);

        Assert.Equal("approved", decided.GetProperty("status").GetString());
        Assert.Equal("pending_review", givenUp.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, givenUp.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal("pending_review", (await client.GetFromJsonAsync<JsonElement>($"/v1/applications/{unreadable.Id}")).GetProperty("status").GetString());
    }

    private async Task<(Guid Id, string Ssn)> ApplyWhileBureauDownAsync()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = StubBureauAnswer.Unavailable;
        var application = await ApplyAsync(ssn);
        Assert.Equal("pending_review", application.GetProperty("status").GetString());
        return (application.GetProperty("id").GetGuid(), ssn);
    }

    [Fact]
    public async Task A_bureau_that_never_answers_gives_pending_review_not_an_error()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780, NeverAnswers: true);

        var application = await ApplyAsync(ssn);

        Assert.Equal("pending_review", application.GetProperty("status").GetString());
        Assert.Equal(DecisionEngine.BureauUnavailable, application.GetProperty("decision").GetProperty("reasons")[0].GetProperty("code").GetString());
        // A timed-out hard pull may already be on the file: it is not repeated within the same request.
        Assert.Equal(1, stub.PullsFor(ssn, "hard"));
    }

    [Fact]
    public async Task Reapplying_within_the_window_returns_the_existing_application_without_a_second_hard_pull()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);
        var first = await ApplyAsync(ssn);

        var again = await client.PostAsJsonAsync("/v1/applications", TestApplicants.Application(ssn, annualIncome: 12_000_000));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.GetProperty("id").GetGuid(), second.GetProperty("id").GetGuid());
        Assert.Equal(1, stub.PullsFor(ssn, "hard"));
        Assert.Equal(1, await api.CountAsync("select count(*) from core.accounts where owner_reference = $1", $"application:{first.GetProperty("id").GetGuid()}"));
    }

    [Fact]
    public async Task Responses_show_at_most_the_last_four_ssn_digits_and_never_the_date_of_birth()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);

        var created = await client.PostAsJsonAsync("/v1/applications", TestApplicants.Application(ssn));
        var createdBody = await created.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(createdBody).RootElement.GetProperty("id").GetGuid();
        var readBody = await client.GetStringAsync($"/v1/applications/{id}");

        foreach (var body in new[] { createdBody, readBody })
        {
            Assert.DoesNotContain(ssn, body);
            Assert.DoesNotContain(TestApplicants.DateOfBirth, body);
            Assert.Equal("***-**-" + ssn[^4..], JsonDocument.Parse(body).RootElement.GetProperty("applicant").GetProperty("ssn").GetString());
        }
    }

    [Fact]
    public async Task The_ssn_and_date_of_birth_are_stored_encrypted_under_the_configured_key()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);
        var id = (await ApplyAsync(ssn)).GetProperty("id").GetGuid();

        await using var connection = await api.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<StoredPii>(
            "select ssn_sealed, date_of_birth_sealed, pii_key_id, row_to_json(a)::text as whole_row from core.applications a where application_id = @id",
            new { id });
        Assert.Equal(TestPiiKeys.KeyId, stored.PiiKeyId);
        Assert.DoesNotContain(ssn, System.Text.Encoding.ASCII.GetString(stored.SsnSealed));
        Assert.DoesNotContain("1984", System.Text.Encoding.ASCII.GetString(stored.DateOfBirthSealed));
        var wholeRow = stored.WholeRow;
        Assert.DoesNotContain(ssn, wholeRow);
        Assert.DoesNotContain(TestApplicants.DateOfBirth, wholeRow);
    }

    [Fact]
    public async Task Logs_never_carry_the_ssn_or_date_of_birth_and_classified_properties_are_erased()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);

        var id = (await ApplyAsync(ssn)).GetProperty("id").GetGuid();

        var records = api.Logs.Records.ToList();
        var received = Assert.Single(records, r => r.Message.Contains(id.ToString()) && r.Message.Contains("received"));
        // The applicant's properties are logged (LogProperties), their PII values erased by classification.
        Assert.Contains(received.Properties, p => p.Key.EndsWith("Ssn", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(p.Value));
        Assert.Contains(received.Properties, p => p.Key.EndsWith("DateOfBirth", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(p.Value));
        Assert.Contains(received.Properties, p => p.Key.EndsWith("AnnualIncome", StringComparison.OrdinalIgnoreCase) && p.Value == "9500000");
        foreach (var record in records)
        {
            var text = record.Message + " " + string.Join(" ", record.Properties.Select(p => p.Value)) + " " + record.Exception;
            Assert.DoesNotContain(ssn, text);
            Assert.DoesNotContain(TestApplicants.DateOfBirth, text);
            Assert.DoesNotContain("grace.hopper@example.com", text);
        }
    }

    [Fact]
    public async Task Reading_the_unmasked_applicant_states_why_and_is_audited_with_who_and_why()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);
        var id = (await ApplyAsync(ssn)).GetProperty("id").GetGuid();
        const string reason = "Identity verification call with the applicant, ticket 4711";

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/applications/{id}/applicant");
        request.Headers.Add(UnderwritingApi.AccessReasonHeader, reason);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var applicant = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ssn, applicant.GetProperty("ssn").GetString());
        Assert.Equal(TestApplicants.DateOfBirth, applicant.GetProperty("dateOfBirth").GetString());
        Assert.Equal(1, await api.CountAsync("""
            select count(*) from audit.events where event_type = 'pii.read' and resource_id = $1 and actor_type = 'user'
            and actor_id = (select "Id" from identity."AspNetUsers" where "Email" = $4)
            and details->>'reason' = $2 and details::text like '%ssn%' and details::text not like '%' || $3 || '%'
            """, id.ToString(), reason, ssn, TestIdentity.OperatorEmail));
    }

    [Fact]
    public async Task Reading_the_unmasked_applicant_without_a_reason_is_refused_and_reveals_nothing()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);
        var id = (await ApplyAsync(ssn)).GetProperty("id").GetGuid();

        var response = await client.GetAsync($"/v1/applications/{id}/applicant");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(UnderwritingApi.AccessReasonHeader, out _));
        Assert.DoesNotContain(ssn, problem.GetRawText());
        Assert.Equal(0, await api.CountAsync("select count(*) from audit.events where event_type = 'pii.read' and resource_id = $1", id.ToString()));
    }

    [Theory]
    [InlineData("ssn", "12-345")]
    [InlineData("ssn", "000-12-3456")]
    [InlineData("ssn", "123-00-4567")]
    [InlineData("dateOfBirth", "07/03/1984")]
    [InlineData("dateOfBirth", "2020-01-01")]
    [InlineData("annualIncome", -1)]
    [InlineData("currency", "EUR")]
    [InlineData("email", "not-an-email")]
    public async Task An_invalid_application_is_a_validation_problem_naming_the_field_and_stores_nothing(string field, object value)
    {
        var ssn = TestApplicants.NewSsn();
        var body = JsonSerializer.SerializeToNode(TestApplicants.Application(ssn))!.AsObject();
        body[field] = JsonSerializer.SerializeToNode(value);

        var response = await client.PostAsJsonAsync("/v1/applications", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Equal(0, await api.CountAsync("select count(*) from core.applications"));
        Assert.Equal(0, stub.PullsFor(ssn, "hard"));
    }

    [Fact]
    public async Task An_application_without_an_address_names_the_address_and_stores_nothing()
    {
        var body = JsonSerializer.SerializeToNode(TestApplicants.Application(TestApplicants.NewSsn()))!.AsObject();
        body.Remove("address");

        var response = await client.PostAsJsonAsync("/v1/applications", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("address", out _));
        Assert.Equal(0, await api.CountAsync("select count(*) from core.applications"));
    }

    [Fact]
    public async Task Prequalification_makes_a_soft_pull_only_and_offers_ranges_without_an_application_or_account()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(780);

        var response = await client.PostAsJsonAsync("/v1/prequalifications", TestApplicants.Prequalification(ssn));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("offer", result.GetProperty("outcome").GetString());
        var offer = result.GetProperty("offer");
        Assert.True(offer.GetProperty("creditLimitMin").GetInt64() <= offer.GetProperty("creditLimitMax").GetInt64());
        Assert.True(offer.GetProperty("aprMin").GetDecimal() <= offer.GetProperty("aprMax").GetDecimal());
        Assert.Equal(1, stub.PullsFor(ssn, "soft"));
        Assert.Equal(0, stub.PullsFor(ssn, "hard"));
        Assert.Equal(0, await api.CountAsync("select count(*) from core.applications"));
        Assert.Equal(0, await api.CountAsync("select count(*) from core.accounts"));
        Assert.Equal(1, await api.CountAsync("select count(*) from audit.events where event_type = 'bureau.pull' and details->>'inquiryType' = 'soft'"));
    }

    [Fact]
    public async Task Prequalification_of_a_540_applicant_is_no_offer_with_reasons()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(540);

        var result = await (await client.PostAsJsonAsync("/v1/prequalifications", TestApplicants.Prequalification(ssn))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("no_offer", result.GetProperty("outcome").GetString());
        Assert.Equal("SCORE_BELOW_MINIMUM", result.GetProperty("reasons")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Prequalification_with_the_bureau_down_is_a_503_problem_not_an_offer()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = StubBureauAnswer.Unavailable;

        var response = await client.PostAsJsonAsync("/v1/prequalifications", TestApplicants.Prequalification(ssn));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, await api.CountAsync("select count(*) from core.prequalifications"));
    }

    [Fact]
    public async Task An_invalid_prequalification_is_a_validation_problem_naming_the_field_and_pulls_nothing()
    {
        var ssn = TestApplicants.NewSsn();
        var body = JsonSerializer.SerializeToNode(TestApplicants.Prequalification(ssn))!.AsObject();
        body["address"]!.AsObject()["state"] = "Virginia";

        var response = await client.PostAsJsonAsync("/v1/prequalifications", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("address.state", out _));
        Assert.Equal(0, stub.PullsFor(ssn, "soft"));
        Assert.Equal(0, await api.CountAsync("select count(*) from core.bureau_pulls"));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_underwriting_endpoints()
    {
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/prequalifications", out _));
        Assert.True(paths.TryGetProperty("/v1/applications", out _));
        Assert.True(paths.TryGetProperty("/v1/applications/{id}", out _));
        Assert.True(paths.TryGetProperty("/v1/applications/{id}/applicant", out _));
    }

    [Fact]
    public async Task An_unknown_application_is_not_found()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/applications/{Guid.NewGuid()}")).StatusCode);
    }

    private async Task<JsonElement> ApplyAsync(string ssn)
    {
        var response = await client.PostAsJsonAsync("/v1/applications", TestApplicants.Application(ssn));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> PollAsync(Guid id, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var application = await client.GetFromJsonAsync<JsonElement>($"/v1/applications/{id}");
            if (done(application) || DateTime.UtcNow > deadline) return application;
            await Task.Delay(100);
        }
    }

    private sealed record StoredDecision(string PolicyVersion, string Score, string AnnualIncome, bool HasPull);

    private sealed record StoredPii(byte[] SsnSealed, byte[] DateOfBirthSealed, string PiiKeyId, string WholeRow);
}
