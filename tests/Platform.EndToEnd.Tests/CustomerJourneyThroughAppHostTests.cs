using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using UglyToad.PdfPig;

namespace Platform.EndToEnd.Tests;

/// <summary>
/// A customer through the running platform: sign up with the verification e-mail from the console sink, see only their
/// own data, get an alert for a large purchase, and — once QA's test clock passes the cycle day — a PDF statement whose
/// totals match the ledger, e-mailed with the PDF attached.
/// </summary>
[Collection(PlatformAppCollection.Name)]
public sealed partial class CustomerJourneyThroughAppHostTests(PlatformAppFixture platform) : IAsyncLifetime
{
    private const string Password = "Journey-Passw0rd-1";
    private readonly HttpClient simControl = platform.CreateSimControlClient();
    private HttpClient Operator => platform.OperatorApi;

    public async Task InitializeAsync() =>
        (await simControl.PutAsJsonAsync("/sim/v1/processor/settings", new { approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0,
            latencyMs = new { min = 0, median = 0, p99 = 0 }, webhookDelayMs = 0 })).EnsureSuccessStatusCode();

    public async Task DisposeAsync()
    {
        // Signed in afresh: a token from before the move has expired by the moved clock.
        using var operatorNow = await platform.CreateOperatorClientAsync();
        (await operatorNow.PutAsJsonAsync("/v1/test-clock", new { offsetSeconds = 0 })).EnsureSuccessStatusCode();
        (await simControl.PostAsync("/sim/v1/reset", null)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Sign_up_spend_get_an_alert_and_a_statement_that_matches_the_ledger()
    {
        var email = $"journey-{Guid.NewGuid():N}@example.com";
        var customer = platform.App.CreateHttpClient("api");
        (await customer.PostAsJsonAsync("/v1/auth/register", new { email, password = Password })).EnsureSuccessStatusCode();
        var verification = await platform.SunkEmailAsync(email, "verification");
        var link = ConfirmationLink().Match(await File.ReadAllTextAsync(Path.Combine(verification, "body.txt"))).Value;
        Assert.Equal(HttpStatusCode.OK, (await customer.GetAsync(new Uri(link).PathAndQuery)).StatusCode);
        await SignInAsync(customer, email);
        var me = await customer.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal(email, me.GetProperty("email").GetString());

        var account = await OpenAccountForAsync(me.GetProperty("userId").GetString()!);
        var card = await IssueCardAsync(customer, account);
        (await Operator.PutAsJsonAsync($"/v1/accounts/{account}/alert-rules", new { largePurchaseThreshold = 4_000, fraudDeclineAlerts = true })).EnsureSuccessStatusCode();
        var purchase = await PostAsync(customer, "/v1/authorizations", new { cardId = card, amount = 4_500, currency = "USD", merchant = new { name = "Corner Grocer", mcc = "5411", country = "US" } });
        Assert.True(purchase.GetProperty("status").GetString() == "approved", purchase.ToString());
        var alert = await platform.SunkEmailAsync(email, "transaction-alert");
        Assert.Contains("45.00", await File.ReadAllTextAsync(Path.Combine(alert, "body.txt")));
        var capture = await PostAsync(customer, $"/v1/authorizations/{purchase.GetProperty("id").GetString()}/capture", new { });
        await PollAsync(async () => (await customer.GetFromJsonAsync<JsonElement>($"/v1/accounts/{account}")).GetProperty("postedBalance").GetInt64() == 4_500);
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync($"/v1/accounts/{await OpenAccountForAsync("someone-else")}")).StatusCode);

        // QA moves the platform's clock two days past the next cycle day; the period the account opened in closes.
        var now = DateTimeOffset.UtcNow;
        var period = $"{now:yyyy-MM}";
        var pastCycleDay = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1).AddDays(2);
        (await Operator.PutAsJsonAsync("/v1/test-clock", new { offsetSeconds = (long)(pastCycleDay - now).TotalSeconds })).EnsureSuccessStatusCode();
        // Tokens expire by the platform's clock too: sign in again in the moved time.
        var operatorNow = await platform.CreateOperatorClientAsync();
        await SignInAsync(customer, email);
        await PollAsync(async () => (await operatorNow.PostAsync("/v1/statements/cycle", null)).IsSuccessStatusCode
            && (await customer.GetFromJsonAsync<JsonElement>($"/v1/accounts/{account}/statements")).GetProperty("items").EnumerateArray()
                .Any(s => s.GetProperty("period").GetString() == period));

        var statement = (await customer.GetFromJsonAsync<JsonElement>($"/v1/accounts/{account}/statements")).GetProperty("items").EnumerateArray()
            .Single(s => s.GetProperty("period").GetString() == period);
        Assert.Equal(4_500, statement.GetProperty("purchases").GetInt64());
        Assert.Equal(4_500, statement.GetProperty("newBalance").GetInt64());
        var pdf = await customer.GetByteArrayAsync($"/v1/accounts/{account}/statements/{period}");
        var text = PdfLines(pdf);
        Assert.Contains("New balance 45.00", text);
        Assert.Contains(text, line => line.Contains("Corner Grocer 45.00", StringComparison.Ordinal));
        var statementEmail = await platform.SunkEmailAsync(email, "statement-ready");
        Assert.Equal(pdf, await File.ReadAllBytesAsync(Directory.GetFiles(Path.Combine(statementEmail, "attachments")).Single()));
    }

    /// <summary>The operator opens an account for a customer (an approved application would do the same).</summary>
    private async Task<Guid> OpenAccountForAsync(string userId)
    {
        var response = await Operator.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit = 100_000, ownerReference = userId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<string> IssueCardAsync(HttpClient customer, Guid account)
    {
        var card = (await PostAsync(customer, $"/v1/accounts/{account}/cards", new { type = "virtual", cardholderName = "JOURNEY CUSTOMER" })).GetProperty("id").GetString()!;
        await PollAsync(async () => (await customer.GetFromJsonAsync<JsonElement>($"/v1/cards/{card}")).GetProperty("status").GetString() == "active");
        return card;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task SignInAsync(HttpClient client, string email)
    {
        var response = await client.PostAsJsonAsync("/v1/auth/login", new { email, password = Password });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
    }

    private static List<string> PdfLines(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().SelectMany(page => page.GetWords()
            .GroupBy(w => Math.Round(w.BoundingBox.Bottom)).OrderByDescending(g => g.Key)
            .Select(g => string.Join(' ', g.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text)))).ToList();
    }

    private static async Task PollAsync(Func<Task<bool>> done, int seconds = 45)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The platform did not get there in time.");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"https?://\S+confirmEmail\S+")]
    private static partial Regex ConfirmationLink();
}
