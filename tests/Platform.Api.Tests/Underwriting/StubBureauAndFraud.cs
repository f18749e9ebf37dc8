using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Api.Tests.Underwriting;

/// <summary>What the stub bureau does for one SSN.</summary>
public sealed record StubBureauAnswer(int? Score, bool Frozen = false, bool FraudAlert = false, int StatusCode = 200, bool NeverAnswers = false,
    long RevolvingBalance = 100_000, long InstallmentBalance = 0)
{
    public static StubBureauAnswer Unavailable { get; } = new(null, StatusCode: 503);
}

/// <summary>
/// A deterministic bureau and fraud service on a real Kestrel port, speaking their contracts, for testing the API's
/// plumbing (client resilience, recording, retries) with answers chosen per SSN. The bureau's real behaviour is
/// exercised by the end-to-end tests against bureau-sim.
/// </summary>
public sealed class StubBureauAndFraud : IAsyncDisposable
{
    private readonly WebApplication app;

    private StubBureauAndFraud(WebApplication app) => this.app = app;

    public string BaseAddress { get; private set; } = "";

    /// <summary>By SSN (nine digits); SSNs not listed get <see cref="DefaultAnswer"/>.</summary>
    public ConcurrentDictionary<string, StubBureauAnswer> Answers { get; } = new();

    public StubBureauAnswer DefaultAnswer { get; set; } = new(720);

    /// <summary>Every credit report request received: (SSN, inquiry type).</summary>
    public ConcurrentQueue<(string Ssn, string InquiryType)> Pulls { get; } = new();

    public int PullsFor(string ssn, string inquiryType) => Pulls.Count(p => p.Ssn == ssn && p.InquiryType == inquiryType);

    public static async Task<StubBureauAndFraud> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new StubBureauAndFraud(app);
        app.MapPost("/bureau/v1/credit-reports", (Delegate)stub.CreditReportAsync);
        app.MapPost("/v1/score/application", () => Results.Json(new
        {
            score = 4, riskLevel = "low", action = "approve", reasons = Array.Empty<object>(), modelVersion = "application-stub", scoringTimeMs = 0.1, degraded = false,
        }));
        await app.StartAsync();
        stub.BaseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return stub;
    }

    private async Task<IResult> CreditReportAsync(HttpContext http)
    {
        var body = await JsonDocument.ParseAsync(http.Request.Body);
        var ssn = body.RootElement.GetProperty("applicant").GetProperty("ssn").GetString()!;
        var inquiryType = body.RootElement.GetProperty("inquiryType").GetString()!;
        Pulls.Enqueue((ssn, inquiryType));
        var answer = Answers.GetValueOrDefault(ssn, DefaultAnswer);
        if (answer.NeverAnswers)
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { });
            return Results.StatusCode(499);
        }
        if (answer.StatusCode != 200) return Results.Problem(statusCode: answer.StatusCode, title: "Bureau unavailable");

        var score = answer.Frozen ? null : answer.Score;
        var factors = score is null ? [] : score < 620
            ? new[] { new { code = "10", text = "Proportion of balances to credit limits on revolving accounts is too high" }, new { code = "02", text = "Level of delinquency on accounts" } }
            : new[] { new { code = "14", text = "Length of time accounts have been established" } };
        return Results.Json(new
        {
            reportId = "rpt_stub_" + Guid.NewGuid().ToString("N"),
            inquiryType,
            score,
            scoreModel = "StubScore (300-850)",
            factors,
            tradelines = new
            {
                totalAccounts = 8, openAccounts = 5, revolvingBalance = answer.RevolvingBalance, revolvingLimit = 1_000_000, revolvingUtilization = 0.1,
                installmentBalance = answer.InstallmentBalance, oldestAccountAgeMonths = 120, delinquencies30Days = 0, delinquencies90Days = 0,
                publicRecords = 0, collections = 0,
            },
            inquiries = Array.Empty<object>(),
            flags = new { noHit = false, thinFile = false, frozen = answer.Frozen, fraudAlert = answer.FraudAlert, recentBankruptcy = false, deceased = false },
            applicantSsnLast4 = ssn[^4..],
            generatedAt = DateTimeOffset.UtcNow,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
