using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Platform.EndToEnd.Tests;

/// <summary>The fraud service's two questions, asked through the running platform with hand-made cases.</summary>
[Collection(PlatformAppCollection.Name)]
public sealed class FraudThroughAppHostTests(PlatformAppFixture platform)
{
    [Fact]
    public async Task An_ordinary_grocery_purchase_scores_low_and_is_approved()
    {
        using var fraud = platform.CreateFraudClient();

        var score = await ScoreTransactionAsync(fraud, NewCard(), amount: 4_250, mcc: "5411", channel: "pos");

        Assert.Equal("low", score.GetProperty("riskLevel").GetString());
        Assert.Equal("approve", score.GetProperty("action").GetString());
        Assert.False(score.GetProperty("degraded").GetBoolean());
    }

    [Fact]
    public async Task A_burst_of_twenty_small_card_testing_amounts_scores_high_with_reasons()
    {
        using var fraud = platform.CreateFraudClient();
        var card = NewCard();

        JsonElement last = default;
        for (var i = 0; i < 20; i++)
        {
            last = await ScoreTransactionAsync(fraud, card, amount: 100 + i * 7, mcc: "5734", channel: "ecommerce");
        }

        Assert.NotEqual("low", last.GetProperty("riskLevel").GetString());
        Assert.NotEqual("approve", last.GetProperty("action").GetString());
        var reasons = last.GetProperty("reasons").EnumerateArray().ToList();
        Assert.InRange(reasons.Count, 1, 4);
        Assert.All(reasons, reason => Assert.False(string.IsNullOrWhiteSpace(reason.GetProperty("code").GetString())));
    }

    [Fact]
    public async Task An_application_score_answers_with_a_model_version_and_reasons()
    {
        using var fraud = platform.CreateFraudClient();

        var response = await fraud.PostAsJsonAsync("/v1/score/application", new
        {
            applicationId = Guid.NewGuid().ToString(),
            firstName = "Ada",
            lastName = "Lovelace",
            dateOfBirth = "1985-04-12",
            ssn = "123-45-6789",
            email = "ada@example.com",
            phone = "+15555550100",
            addressCountry = "US",
            monthsAtAddress = 48,
            annualIncome = 9_500_000,
            currency = "USD",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var score = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.InRange(score.GetProperty("score").GetInt32(), 0, 100);
        Assert.StartsWith("application", score.GetProperty("modelVersion").GetString());
    }

    private static string NewCard() => "card_" + Guid.NewGuid().ToString("N")[..16];

    private static async Task<JsonElement> ScoreTransactionAsync(HttpClient fraud, string card, long amount, string mcc, string channel)
    {
        var response = await fraud.PostAsJsonAsync("/v1/score/transaction", new
        {
            transactionId = Guid.NewGuid().ToString(),
            cardId = card,
            amount,
            currency = "USD",
            merchantId = "m-" + mcc,
            merchantCategoryCode = mcc,
            merchantCountry = "US",
            cardCountry = "US",
            channel,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
