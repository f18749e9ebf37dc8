using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Platform.EndToEnd.Tests;

/// <summary>
/// Applying for credit through the running platform: the API, the fraud service and bureau-sim, with bureau-sim's
/// behaviour changed live through the control API as QA would from the panel.
/// </summary>
[Collection(PlatformAppCollection.Name)]
public sealed class UnderwritingThroughAppHostTests(PlatformAppFixture platform) : IAsyncLifetime
{
    private readonly HttpClient simControl = platform.CreateSimControlClient();
    private readonly HttpClient api = platform.OperatorApi;

    [Fact]
    public async Task An_applicant_scoring_780_is_approved_with_a_credit_limit_and_an_account()
    {
        var ssn = NewSsn();
        await PinBureauAsync(ssn, new { score = 780 });

        var application = await ApplyAndAwaitDecisionAsync(ssn);

        Assert.True(application.GetProperty("status").GetString() == "approved", application.GetRawText());
        var decision = application.GetProperty("decision");
        Assert.True(decision.GetProperty("creditLimit").GetInt64() > 0);
        Assert.Equal(780, decision.GetProperty("scoreUsed").GetProperty("score").GetInt32());
        Assert.Equal("bureau-sim", decision.GetProperty("scoreUsed").GetProperty("source").GetString());
        var account = await api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{application.GetProperty("accountId").GetGuid()}");
        Assert.Equal(decision.GetProperty("creditLimit").GetInt64(), account.GetProperty("creditLimit").GetInt64());
        Assert.DoesNotContain(ssn, application.GetRawText());
        Assert.Equal("***-**-" + ssn[^4..], application.GetProperty("applicant").GetProperty("ssn").GetString());
    }

    [Fact]
    public async Task An_applicant_scoring_540_is_declined_with_reasons_naming_the_score_and_its_factors()
    {
        var ssn = NewSsn();
        await PinBureauAsync(ssn, new { score = 540 });

        var application = await ApplyAndAwaitDecisionAsync(ssn);

        Assert.True(application.GetProperty("status").GetString() == "declined", application.GetRawText());
        var decision = application.GetProperty("decision");
        var reasons = decision.GetProperty("reasons").EnumerateArray().ToList();
        Assert.InRange(reasons.Count, 2, 4);
        Assert.Equal("SCORE_BELOW_MINIMUM", reasons[0].GetProperty("code").GetString());
        Assert.Contains("540", reasons[0].GetProperty("text").GetString());
        Assert.All(reasons.Skip(1), r => Assert.StartsWith("BUREAU_", r.GetProperty("code").GetString()));
        var score = decision.GetProperty("scoreUsed");
        Assert.Equal(540, score.GetProperty("score").GetInt32());
        Assert.Equal(300, score.GetProperty("rangeMin").GetInt32());
        Assert.Equal(850, score.GetProperty("rangeMax").GetInt32());
        Assert.NotEmpty(score.GetProperty("keyFactors").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(decision.GetProperty("policyVersion").GetString()));
        Assert.Equal(JsonValueKind.Null, application.GetProperty("accountId").ValueKind);
    }

    [Fact]
    public async Task A_frozen_credit_file_goes_to_pending_review()
    {
        var ssn = NewSsn();
        await PinBureauAsync(ssn, new { flags = new { frozen = true } });

        var application = await ApplyAndAwaitDecisionAsync(ssn);

        Assert.True(application.GetProperty("status").GetString() == "pending_review", application.GetRawText());
        Assert.Equal("CREDIT_FILE_FROZEN", application.GetProperty("decision").GetProperty("reasons")[0].GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, application.GetProperty("accountId").ValueKind);
        Assert.Equal(JsonValueKind.Null, application.GetProperty("nextAttemptAt").ValueKind);
    }

    [Fact]
    public async Task With_the_bureau_down_an_application_waits_in_review_and_is_approved_once_the_bureau_is_back()
    {
        var ssn = NewSsn();
        await PinBureauAsync(ssn, new { score = 780 });
        var down = await simControl.PutAsJsonAsync("/sim/v1/bureau/settings", new { errorRate = 1.0 });
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);

        var (_, application) = await ApplyAsync(ssn);
        Assert.True(application.GetProperty("status").GetString() == "pending_review", application.GetRawText());
        Assert.Equal("BUREAU_UNAVAILABLE", application.GetProperty("decision").GetProperty("reasons")[0].GetProperty("code").GetString());
        Assert.NotEqual(JsonValueKind.Null, application.GetProperty("nextAttemptAt").ValueKind);

        var back = await simControl.PutAsJsonAsync("/sim/v1/bureau/settings", new { errorRate = 0.0 });
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        var id = application.GetProperty("id").GetGuid();
        var decided = await AwaitDecisionAsync(id);

        Assert.True(decided.GetProperty("status").GetString() == "approved", decided.GetRawText());
        Assert.Equal(780, decided.GetProperty("decision").GetProperty("scoreUsed").GetProperty("score").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, decided.GetProperty("accountId").ValueKind);
    }

    [Fact]
    public async Task Prequalification_leaves_the_score_unchanged_while_an_applications_hard_pull_lowers_the_next_score()
    {
        // No override: bureau-sim draws this applicant's score, and only unpinned scores carry inquiry penalties.
        var ssn = NewSsn();
        var person = NewPerson();

        var first = await PrequalifyAsync(ssn, person);
        var second = await PrequalifyAsync(ssn, person);
        var before = first.GetProperty("scoreUsed").GetProperty("score").GetInt32();
        Assert.Equal(before, second.GetProperty("scoreUsed").GetProperty("score").GetInt32());

        var application = await ApplyAndAwaitDecisionAsync(ssn, person);
        Assert.Equal(before, application.GetProperty("decision").GetProperty("scoreUsed").GetProperty("score").GetInt32());

        var after = (await PrequalifyAsync(ssn, person)).GetProperty("scoreUsed").GetProperty("score").GetInt32();
        Assert.True(after < before, $"score after the hard pull {after}, before {before}");
    }

    [Fact]
    public async Task An_application_missing_its_ssn_is_a_validation_problem_and_nothing_is_pulled()
    {
        var body = JsonSerializer.SerializeToNode(ApplicationBody("", NewPerson()))!.AsObject();

        var response = await api.PostAsJsonAsync("/v1/applications", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("ssn", out _));
    }

    /// <summary>Each applicant is a different person, so the fraud service's velocity features see no repeat applicant.</summary>
    private sealed record Person(string FirstName, string LastName, string Email, string Phone);

    private static readonly string[] FirstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Niklaus", "Radia", "Leslie"];
    private static readonly string[] LastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Wirth", "Perlman", "Lamport"];

    private static Person NewPerson()
    {
        var first = FirstNames[RandomNumberGenerator.GetInt32(FirstNames.Length)];
        var last = LastNames[RandomNumberGenerator.GetInt32(LastNames.Length)];
        var phone = "+1555" + RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        return new Person(first, last, $"{first}.{last}.{RandomNumberGenerator.GetInt32(1000, 9999)}@example.com".ToLowerInvariant(), phone);
    }

    /// <summary>
    /// A fresh issuable SSN (area 100-665). bureau-sim's personas sit in area 000, which is never issued and which the
    /// API and the fraud service refuse, so these tests give bureau-sim per-applicant overrides instead.
    /// </summary>
    private static string NewSsn() => string.Create(CultureInfo.InvariantCulture,
        $"{RandomNumberGenerator.GetInt32(100, 666):000}{RandomNumberGenerator.GetInt32(1, 100):00}{RandomNumberGenerator.GetInt32(1, 10_000):0000}");

    private async Task PinBureauAsync(string ssn, object applicantOverride)
    {
        // The SSN goes in the body: bureau-sim's overrides are addressed by digest id, never by SSN in a URL.
        var body = System.Text.Json.JsonSerializer.SerializeToNode(applicantOverride)!.AsObject();
        body["ssn"] = ssn;
        var response = await simControl.PutAsJsonAsync("/sim/v1/bureau/applicants", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// Applies, then follows the application until the platform has nothing more to do on its own (a fraud check or
    /// bureau pull that was unavailable on a cold start is retried by the worker).
    /// </summary>
    private async Task<JsonElement> ApplyAndAwaitDecisionAsync(string ssn, Person? person = null)
    {
        var (_, application) = await ApplyAsync(ssn, person);
        return application.GetProperty("nextAttemptAt").ValueKind == JsonValueKind.Null
            ? application
            : await AwaitDecisionAsync(application.GetProperty("id").GetGuid());
    }

    private Task<JsonElement> AwaitDecisionAsync(Guid id) =>
        PollAsync(id, a => a.GetProperty("nextAttemptAt").ValueKind == JsonValueKind.Null, TimeSpan.FromSeconds(90));

    private static object ApplicationBody(string ssn, Person person) => new
    {
        firstName = person.FirstName,
        lastName = person.LastName,
        dateOfBirth = "1983-06-15",
        ssn,
        address = new { line1 = "12 Analytical Row", city = "Boston", state = "MA", postalCode = "02110" },
        email = person.Email,
        phone = person.Phone,
        annualIncome = 9_800_000,
        monthlyHousingCost = 160_000,
        currency = "USD",
    };

    private async Task<(HttpStatusCode Status, JsonElement Application)> ApplyAsync(string ssn, Person? person = null)
    {
        var response = await api.PostAsJsonAsync("/v1/applications", ApplicationBody(ssn, person ?? NewPerson()));
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<JsonElement> PrequalifyAsync(string ssn, Person person)
    {
        var response = await api.PostAsJsonAsync("/v1/prequalifications", new
        {
            firstName = person.FirstName,
            lastName = person.LastName,
            dateOfBirth = "1983-06-15",
            ssn,
            address = new { line1 = "12 Analytical Row", city = "Boston", state = "MA", postalCode = "02110" },
            annualIncome = 9_800_000,
            monthlyHousingCost = 160_000,
            currency = "USD",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> PollAsync(Guid id, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var application = await api.GetFromJsonAsync<JsonElement>($"/v1/applications/{id}");
            if (done(application) || DateTime.UtcNow > deadline) return application;
            await Task.Delay(250);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The app is shared by the collection: leave bureau-sim as the next test expects it.</summary>
    public async Task DisposeAsync()
    {
        await simControl.PostAsync("/sim/v1/reset", content: null);
        simControl.Dispose();
    }
}
