using Platform.Fraud.Features;
using Platform.Fraud.Scoring;

namespace Platform.Fraud.Tests;

/// <summary>The shipped models on cases a person can judge, with velocity from the in-memory twin of the Redis store.</summary>
public sealed class HandMadeCaseTests
{
    private readonly InMemoryVelocityStore store = new();

    [Fact]
    public async Task A_burst_of_twenty_small_card_testing_amounts_scores_high()
    {
        var scorer = Scenarios.Scorer(store);
        await Scenarios.OrdinaryHistoryAsync(store, "card-burst", Scenarios.Now);

        FraudScore last = null!;
        for (var i = 0; i < 20; i++)
        {
            var attempt = Scenarios.Transaction("card-burst", 100 + i * 17 % 400, Scenarios.Now.AddSeconds(6 * i),
                MerchantCategories.DigitalGoods, "m-digital-" + (i % 3), channel: TransactionChannel.Ecommerce, device: "dev-attacker");
            last = await scorer.ScoreTransactionAsync(attempt, default);
        }

        Assert.True(last.Score >= ModelCatalog.Transaction.DeclineAt, $"score {last.Score}");
        Assert.Equal(RiskLevel.High, last.RiskLevel);
        Assert.Equal(FraudAction.Decline, last.Action);
        Assert.InRange(last.Reasons.Count, 1, FraudScorer.MaxReasons);
        Assert.Contains(last.Reasons, r => r.Code is "HIGH_VELOCITY_1M" or "HIGH_VELOCITY_1H" or "REPEATED_SMALL_AMOUNTS" or "RAPID_SUCCESSION");
    }

    [Fact]
    public async Task A_burst_of_twenty_small_online_amounts_on_a_brand_new_card_without_a_device_scores_high()
    {
        var scorer = Scenarios.Scorer(store);

        FraudScore last = null!;
        for (var i = 0; i < 20; i++)
        {
            last = await scorer.ScoreTransactionAsync(Scenarios.Transaction("card-new-burst", 100 + i * 7, Scenarios.Now.AddSeconds(i),
                5734, "m-5734", channel: TransactionChannel.Ecommerce), default);
        }

        Assert.True(last.Score >= ModelCatalog.Transaction.DeclineAt, $"score {last.Score}");
    }

    [Fact]
    public async Task An_ordinary_grocery_purchase_scores_low()
    {
        var scorer = Scenarios.Scorer(store);
        await Scenarios.OrdinaryHistoryAsync(store, "card-grocery", Scenarios.Now);

        var score = await scorer.ScoreTransactionAsync(
            Scenarios.Transaction("card-grocery", 4_217, Scenarios.Now, MerchantCategories.Grocery, "m-grocer-1"), default);

        Assert.True(score.Score < ModelCatalog.Transaction.ReviewAt, $"score {score.Score}");
        Assert.Equal(RiskLevel.Low, score.RiskLevel);
        Assert.Equal(FraudAction.Approve, score.Action);
    }

    [Fact]
    public async Task A_new_device_abroad_buying_electronics_far_above_usual_scores_high_for_those_reasons()
    {
        var scorer = Scenarios.Scorer(store);
        await Scenarios.OrdinaryHistoryAsync(store, "card-takeover", Scenarios.Now);

        var score = await scorer.ScoreTransactionAsync(Scenarios.Transaction("card-takeover", 189_900, Scenarios.Now,
            MerchantCategories.Electronics, "m-electronics-ro", "RO", TransactionChannel.Ecommerce, "dev-unknown"), default);

        Assert.True(score.Score >= ModelCatalog.Transaction.DeclineAt, $"score {score.Score}");
        Assert.Contains(score.Reasons, r => r.Code is "AMOUNT_FAR_ABOVE_USUAL" or "HIGH_AMOUNT");
        Assert.Contains(score.Reasons, r => r.Code is "NEW_DEVICE" or "NEW_COUNTRY");
    }

    [Fact]
    public async Task An_application_with_an_SSN_issued_before_birth_and_a_disposable_email_scores_high()
    {
        var scorer = Scenarios.Scorer(store);

        var score = await scorer.ScoreApplicationAsync(Scenarios.Application(Scenarios.Now, ssn: "412345678",
            email: "quickcash77@mailinator.com", ssnIssuedYear: 1979, dateOfBirth: new DateOnly(1991, 6, 2), monthsAtAddress: 2), default);

        Assert.True(score.Score >= ModelCatalog.Application.DeclineAt, $"score {score.Score}");
        Assert.Equal(FraudAction.Decline, score.Action);
        Assert.Contains(score.Reasons, r => r.Code == "SSN_ISSUED_BEFORE_BIRTH");
        Assert.Contains(score.Reasons, r => r.Code == "DISPOSABLE_EMAIL");
    }

    [Fact]
    public async Task An_ordinary_application_scores_low()
    {
        var scorer = Scenarios.Scorer(store);

        var score = await scorer.ScoreApplicationAsync(Scenarios.Application(Scenarios.Now), default);

        Assert.True(score.Score < ModelCatalog.Application.ReviewAt, $"score {score.Score}");
        Assert.Equal(FraudAction.Approve, score.Action);
    }

    [Fact]
    public async Task Many_applications_from_one_device_with_different_SSNs_score_high()
    {
        var scorer = Scenarios.Scorer(store);

        FraudScore last = null!;
        for (var i = 0; i < 6; i++)
        {
            last = await scorer.ScoreApplicationAsync(Scenarios.Application(Scenarios.Now.AddMinutes(20 * i),
                ssn: $"52{i}44{i}789", email: $"person{i}.miller@gmail.com", phone: "15555550999", device: "dev-farm"), default);
        }

        Assert.True(last.Score >= ModelCatalog.Application.DeclineAt, $"score {last.Score}");
        Assert.Contains(last.Reasons, r => r.Code is "SHARED_CONTACT_DETAILS" or "DEVICE_VELOCITY" or "PHONE_VELOCITY");
    }

    [Fact]
    public async Task Reasons_have_stable_codes_and_text_and_there_are_at_most_four()
    {
        var scorer = Scenarios.Scorer(store);

        var score = await scorer.ScoreApplicationAsync(Scenarios.Application(Scenarios.Now, email: "zz9@yopmail.com",
            ssnIssuedYear: 2019, dateOfBirth: new DateOnly(2004, 1, 1), incomeMinor: 45_000_000, monthsAtAddress: 1, ipCountry: "NG"), default);

        Assert.InRange(score.Reasons.Count, 1, FraudScorer.MaxReasons);
        Assert.All(score.Reasons, r =>
        {
            Assert.Matches("^[A-Z][A-Z0-9_]+$", r.Code);
            Assert.False(string.IsNullOrWhiteSpace(r.Description));
        });
        Assert.Equal(score.Reasons.Count, score.Reasons.Select(r => r.Code).Distinct().Count());
    }
}
