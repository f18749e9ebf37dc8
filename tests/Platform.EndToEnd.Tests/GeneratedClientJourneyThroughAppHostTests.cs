using System.Globalization;
using System.Security.Cryptography;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Platform.Clients.Api;
using Platform.Clients.Api.Models;
using Platform.Clients.SimControl;
using SimModels = Platform.Clients.SimControl.Models;

namespace Platform.EndToEnd.Tests;

/// <summary>
/// A customer's whole journey through the running platform, driven only by the clients Kiota generates at build time
/// from the committed OpenAPI documents (no hand-written request anywhere): sign up, confirm from the e-mail, apply and
/// be approved, get the card, buy, be declined over the limit, capture, refund, and read the month's statement. The
/// clients' HTTP goes through the contract check too, so the generated client and the document agree with the API.
/// </summary>
[Collection(PlatformAppCollection.Name)]
public sealed class GeneratedClientJourneyThroughAppHostTests(PlatformAppFixture platform) : IAsyncLifetime
{
    private const string Password = "Generated-Client-Passw0rd";
    private readonly SimControlClient simControl = new(Adapter(platform.CreateSimControlClient(), new AnonymousAuthenticationProvider()));

    public async Task InitializeAsync() =>
        await simControl.Sim.V1.Processor.Settings.PutAsync(new SimModels.ProcessorSettings
        {
            ApprovalRate = 1.0, PartialApprovalRate = 0.0, ErrorRate = 0.0, TimeoutRate = 0.0, WebhookDelayMs = 0,
            LatencyMs = new SimModels.LatencySettings { Min = 0, Median = 0, P99 = 0 },
        });

    public async Task DisposeAsync()
    {
        var operatorNow = await SignedInAsync(PlatformAppFixture.OperatorEmail, platform.OperatorPassword);
        await operatorNow.V1.TestClock.PutAsync(new SetTestClockRequest { OffsetSeconds = 0 });
        await simControl.Sim.V1.Reset.PostAsync();
    }

    [Fact]
    public async Task Sign_up_confirm_apply_get_a_card_buy_capture_refund_and_read_the_statement_with_the_generated_client()
    {
        var email = $"generated-{Guid.NewGuid():N}@example.com";
        var anonymous = Client(new AnonymousAuthenticationProvider(), out _);
        await anonymous.V1.Auth.Register.PostAsync(new RegisterRequest { Email = email, Password = Password });
        await ConfirmFromTheEmailAsync(anonymous, email);
        var customer = await SignedInAsync(email, Password);
        Assert.Equal(email, (await customer.V1.Me.GetAsync())!.Email);

        // Approval opens an account and requests a card; bureau-sim is told this applicant's score.
        var ssn = NewSsn();
        await simControl.Sim.V1.Bureau.Applicants.PutAsync(new SimModels.ApplicantOverrideBySsnRequest { Ssn = ssn, Score = 790 });
        var applied = await customer.V1.Applications.PostAsync(Application(ssn, email));
        var application = await UntilAsync(() => customer.V1.Applications[applied!.Id!.Value].GetAsync(), a => a!.CardId is not null && a.NextAttemptAt is null);
        Assert.True(application!.Status == "approved", $"{application.Status}: {string.Join(", ", application.Decision?.Reasons?.Select(r => r.Code) ?? [])}");
        var accountId = application.AccountId!.Value;
        var card = await UntilAsync(() => customer.V1.Cards[application.CardId!.Value].GetAsync(), c => c!.Status == "active");
        var limit = (await customer.V1.Accounts[accountId].GetAsync())!.CreditLimit!.Value;

        var purchase = await customer.V1.Authorizations.PostAsync(Purchase(card!.Id!.Value, 4_500), WithIdempotencyKey);
        Assert.True(purchase!.Status == "approved", $"{purchase.Status} {purchase.ResponseCode} {purchase.DeclineReason}");
        var overLimit = await customer.V1.Authorizations.PostAsync(Purchase(card.Id!.Value, limit + 1), WithIdempotencyKey);
        // Over the limit is declined, 51, unless the fraud model (which sees a first purchase of the whole limit) says 59 first.
        Assert.True(overLimit!.Status == "declined" && overLimit.DeclineReason is "insufficient_credit" or "suspected_fraud", $"{overLimit.Status} {overLimit.DeclineReason}");

        var capture = await customer.V1.Authorizations[purchase.Id!.Value].Capture.PostAsync(new AmountRequest(), WithIdempotencyKey);
        await UntilSucceededAsync(customer, purchase.Id.Value, capture!.Id!.Value);
        var refund = await customer.V1.Transactions[capture.Id.Value].Refund.PostAsync(new AmountRequest { Amount = 1_000 }, WithIdempotencyKey);
        await UntilSucceededAsync(customer, purchase.Id.Value, refund!.Id!.Value);
        var account = await customer.V1.Accounts[accountId].GetAsync();
        Assert.Equal(3_500, account!.PostedBalance);
        Assert.Equal(limit - 3_500, account.AvailableCredit);

        // QA's test clock moves two days past the next cycle day; the period the account opened in closes.
        var now = DateTimeOffset.UtcNow;
        var period = now.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var pastCycleDay = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1).AddDays(2);
        var operatorThen = await SignedInAsync(PlatformAppFixture.OperatorEmail, platform.OperatorPassword);
        await operatorThen.V1.TestClock.PutAsync(new SetTestClockRequest { OffsetSeconds = (long)(pastCycleDay - now).TotalSeconds });
        // Tokens expire by the platform's clock too: both sign in again in the moved time.
        var operatorNow = await SignedInAsync(PlatformAppFixture.OperatorEmail, platform.OperatorPassword);
        customer = await SignedInAsync(email, Password);
        var statements = await UntilAsync(async () =>
        {
            await operatorNow.V1.Statements.Cycle.PostAsync();
            return await customer.V1.Accounts[accountId].Statements.GetAsync();
        }, list => list!.Items!.Any(s => s.Period == period));

        var statement = statements!.Items!.Single(s => s.Period == period);
        Assert.Equal((4_500L, 1_000L, 3_500L), (statement.Purchases!.Value, statement.Refunds!.Value, statement.NewBalance!.Value));
        await using var pdf = await customer.V1.Accounts[accountId].Statements[period].GetAsync();
        using var bytes = new MemoryStream();
        await pdf!.CopyToAsync(bytes);
        Assert.Equal("%PDF"u8.ToArray(), bytes.ToArray()[..4]);
    }

    /// <summary>The confirmation link from the verification e-mail, followed with the generated client's own operation.</summary>
    private async Task ConfirmFromTheEmailAsync(PlatformApiClient client, string email)
    {
        var folder = await platform.SunkEmailAsync(email, "verification");
        var body = await File.ReadAllTextAsync(Path.Combine(folder, "body.txt"));
        var link = new Uri(body.Split((char[])[' ', '\n', '\r', '<', '>', '"'], StringSplitOptions.RemoveEmptyEntries).First(word => word.Contains("confirmEmail", StringComparison.Ordinal)));
        var query = QueryHelpers.ParseQuery(link.Query);
        var answer = await client.V1.Auth.ConfirmEmail.GetAsync(c =>
        {
            c.QueryParameters.UserId = query["userId"];
            c.QueryParameters.Code = query["code"];
            c.QueryParameters.ChangedEmail = query.TryGetValue("changedEmail", out var changed) ? changed.ToString() : null;
        });
        Assert.False(string.IsNullOrWhiteSpace(answer));
    }

    private async Task<PlatformApiClient> SignedInAsync(string email, string password)
    {
        var tokens = await Client(new AnonymousAuthenticationProvider(), out _).V1.Auth.Login.PostAsync(new LoginRequest { Email = email, Password = password });
        return Client(new BaseBearerTokenAuthenticationProvider(new FixedToken(tokens!.AccessToken!)), out _);
    }

    private PlatformApiClient Client(IAuthenticationProvider authentication, out HttpClient http)
    {
        http = platform.App.CreateHttpClient("api");
        return new PlatformApiClient(Adapter(http, authentication));
    }

    private static HttpClientRequestAdapter Adapter(HttpClient http, IAuthenticationProvider authentication) =>
        new(authentication, httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') };

    private static void WithIdempotencyKey<T>(RequestConfiguration<T> request) where T : class, new() =>
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

    private static AuthorizeRequest Purchase(Guid card, long amount) => new()
    {
        CardId = card, Amount = amount, Currency = "USD",
        Merchant = new MerchantRequest { Name = "Corner Grocer", Mcc = "5411", Country = "US" },
    };

    private static ApplicationRequest Application(string ssn, string email) => new()
    {
        FirstName = "Generated", LastName = "Client", DateOfBirth = "1985-06-15", Ssn = ssn, Email = email, Phone = "+15555550123",
        Address = new AddressRequest { Line1 = "1 Contract Way", City = "Springfield", State = "IL", PostalCode = "62701" },
        AnnualIncome = 9_500_000, MonthlyHousingCost = 150_000, Currency = "USD",
    };

    private static async Task UntilSucceededAsync(PlatformApiClient client, Guid authorization, Guid operation)
    {
        var details = await UntilAsync(() => client.V1.Authorizations[authorization].GetAsync(),
            a => a!.Operations!.Any(o => o.Id == operation && o.Status is "succeeded" or "failed"));
        Assert.Equal("succeeded", details!.Operations!.Single(o => o.Id == operation).Status);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The platform did not get there in time.");
            await Task.Delay(200);
        }
    }

    private static string NewSsn() => string.Create(CultureInfo.InvariantCulture,
        $"{RandomNumberGenerator.GetInt32(100, 666):000}{RandomNumberGenerator.GetInt32(1, 100):00}{RandomNumberGenerator.GetInt32(1, 10_000):0000}");

    /// <summary>The access token from signing in, handed to Kiota's bearer provider.</summary>
    private sealed class FixedToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(token);
    }
}
