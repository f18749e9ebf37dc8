using System.Globalization;

namespace Platform.Fraud.Features;

/// <summary>
/// The transaction model's input vector: its layout, how it is built from an event and its card's velocity,
/// and what each feature means when it pushes a score up.
/// </summary>
internal static class TransactionFeatures
{
    public const int Count = 18;

    public const int Amount = 0;
    public const int AmountToUsual = 1;
    public const int MerchantCategoryRisk = 2;
    public const int CardNotPresent = 3;
    public const int CrossBorder = 4;
    public const int NewDevice = 5;
    public const int NewCountry = 6;
    public const int Count1m = 7;
    public const int Count1h = 8;
    public const int Count24h = 9;
    public const int Sum1m = 10;
    public const int Sum1h = 11;
    public const int Sum24h = 12;
    public const int SmallAmounts1h = 13;
    public const int DistinctMerchants24h = 14;
    public const int DistinctCountries24h = 15;
    public const int MinutesSinceLast = 16;
    public const int HistoryCount = 17;

    public static readonly string[] Names =
    [
        "amount", "amount_to_usual", "merchant_category_risk", "card_not_present", "cross_border", "new_device",
        "new_country", "count_1m", "count_1h", "count_24h", "sum_1m", "sum_1h", "sum_24h", "small_amounts_1h",
        "distinct_merchants_24h", "distinct_countries_24h", "minutes_since_last", "history_count",
    ];

    /// <summary>A card's "usual" amount is its average once it has at least this many transactions.</summary>
    public const int UsualAmountMinimumHistory = 3;
    private const float NoPreviousTransactionMinutes = 7 * 24 * 60;

    public static void Build(TransactionEvent transaction, in CardVelocity velocity, Span<float> features)
    {
        var amount = transaction.AmountMinor / 100f;
        features[Amount] = amount;
        features[AmountToUsual] = velocity.HistoryCount >= UsualAmountMinimumHistory && velocity.HistorySumMinor > 0
            ? (float)(transaction.AmountMinor / ((double)velocity.HistorySumMinor / velocity.HistoryCount))
            : 1f;
        features[MerchantCategoryRisk] = MerchantCategories.RiskOf(transaction.MerchantCategoryCode);
        features[CardNotPresent] = transaction.Channel.IsCardNotPresent() ? 1 : 0;
        features[CrossBorder] = transaction.CardCountry is { } home && home != transaction.MerchantCountry ? 1 : 0;
        features[NewDevice] = velocity.NewDevice ? 1 : 0;
        features[NewCountry] = velocity.NewCountry ? 1 : 0;
        features[Count1m] = velocity.Count1m;
        features[Count1h] = velocity.Count1h;
        features[Count24h] = velocity.Count24h;
        features[Sum1m] = velocity.Sum1mMinor / 100f;
        features[Sum1h] = velocity.Sum1hMinor / 100f;
        features[Sum24h] = velocity.Sum24hMinor / 100f;
        features[SmallAmounts1h] = velocity.SmallAmounts1h;
        features[DistinctMerchants24h] = velocity.DistinctMerchants24h;
        features[DistinctCountries24h] = velocity.DistinctCountries24h;
        features[MinutesSinceLast] = velocity.LastAtMs is { } last
            ? Math.Clamp((transaction.OccurredAtMs - last) / (float)VelocityWindows.Minute, 0, NoPreviousTransactionMinutes)
            : NoPreviousTransactionMinutes;
        features[HistoryCount] = Math.Min(velocity.HistoryCount, 1000);
    }

    /// <summary>
    /// The reason a feature gives when its contribution raised the score, or null when its value is not a risk
    /// sign on its own (a feature can lift a score slightly from an unremarkable value; that is not worth saying).
    /// </summary>
    public static Reason? Describe(int feature, ReadOnlySpan<float> f, TransactionEvent transaction)
    {
        var c = CultureInfo.InvariantCulture;
        return feature switch
        {
            Amount when f[Amount] <= 5 => new("SMALL_PROBING_AMOUNT",
                string.Create(c, $"A very small amount ({f[Amount]:0.00} {transaction.Currency}), typical of card testing")),
            Amount when f[Amount] >= 500 => new("HIGH_AMOUNT",
                string.Create(c, $"A high amount ({f[Amount]:#,0.00} {transaction.Currency})")),
            AmountToUsual when f[AmountToUsual] >= 3 => new("AMOUNT_FAR_ABOVE_USUAL",
                string.Create(c, $"Amount is {f[AmountToUsual]:0.#}x the card's usual spend")),
            AmountToUsual when f[AmountToUsual] <= 0.1f => new("AMOUNT_FAR_BELOW_USUAL",
                string.Create(c, $"Amount is a small fraction ({f[AmountToUsual]:0.00}x) of the card's usual spend")),
            MerchantCategoryRisk when f[MerchantCategoryRisk] >= 0.5f => new("HIGH_RISK_MERCHANT_CATEGORY",
                string.Create(c, $"Merchant category {transaction.MerchantCategoryCode:0000} is a frequent fraud target")),
            CardNotPresent when f[CardNotPresent] > 0 => new("CARD_NOT_PRESENT", "Card not present (online or phone order)"),
            CrossBorder when f[CrossBorder] > 0 => new("CROSS_BORDER",
                $"Merchant in {transaction.MerchantCountry}, card issued for {transaction.CardCountry}"),
            NewDevice when f[NewDevice] > 0 => new("NEW_DEVICE", "First use of this device with the card"),
            NewCountry when f[NewCountry] > 0 => new("NEW_COUNTRY", $"First use of the card in {transaction.MerchantCountry}"),
            Count1m when f[Count1m] >= 2 => new("HIGH_VELOCITY_1M",
                string.Create(c, $"{f[Count1m]:0} earlier transactions on this card in the last minute")),
            Count1h when f[Count1h] >= 5 => new("HIGH_VELOCITY_1H",
                string.Create(c, $"{f[Count1h]:0} earlier transactions on this card in the last hour")),
            Count24h when f[Count24h] >= 15 => new("HIGH_VELOCITY_24H",
                string.Create(c, $"{f[Count24h]:0} earlier transactions on this card in the last 24 hours")),
            Sum1m when f[Sum1m] >= 500 => SpendVelocity(f[Sum1m], "minute", transaction),
            Sum1h when f[Sum1h] >= 1000 => SpendVelocity(f[Sum1h], "hour", transaction),
            Sum24h when f[Sum24h] >= 2500 => SpendVelocity(f[Sum24h], "24 hours", transaction),
            SmallAmounts1h when f[SmallAmounts1h] >= 3 => new("REPEATED_SMALL_AMOUNTS",
                string.Create(c, $"{f[SmallAmounts1h]:0} small-amount transactions on this card in the last hour")),
            DistinctMerchants24h when f[DistinctMerchants24h] >= 6 => new("MANY_MERCHANTS_24H",
                string.Create(c, $"Card used at {f[DistinctMerchants24h]:0} different merchants in the last 24 hours")),
            DistinctCountries24h when f[DistinctCountries24h] >= 2 => new("MANY_COUNTRIES_24H",
                string.Create(c, $"Card used in {f[DistinctCountries24h]:0} countries in the last 24 hours")),
            MinutesSinceLast when f[MinutesSinceLast] < 2 => new("RAPID_SUCCESSION",
                "Less than two minutes since the card's previous transaction"),
            HistoryCount when f[HistoryCount] < UsualAmountMinimumHistory => new("LITTLE_CARD_HISTORY",
                "The card has almost no transaction history"),
            _ => null,
        };
    }

    private static Reason SpendVelocity(float sum, string window, TransactionEvent transaction) =>
        new("HIGH_SPEND_VELOCITY",
            string.Create(CultureInfo.InvariantCulture, $"{sum:#,0.00} {transaction.Currency} spent on this card in the last {window}"));
}
