namespace Platform.Fraud.Features;

/// <summary>
/// What a card did before this transaction. Every count and sum excludes the transaction being scored;
/// windows are (now - window, now]. The Redis store and the in-memory one (training, tests) compute the same values.
/// </summary>
internal readonly record struct CardVelocity(
    int Count1m,
    int Count1h,
    int Count24h,
    long Sum1mMinor,
    long Sum1hMinor,
    long Sum24hMinor,
    int SmallAmounts1h,
    int DistinctMerchants24h,
    int DistinctCountries24h,
    bool NewDevice,
    bool NewCountry,
    int HistoryCount,
    long HistorySumMinor,
    long? LastAtMs)
{
    /// <summary>
    /// Used when Redis cannot answer in time: a card with an ordinary recent history (a few purchases a day,
    /// usual amount equal to this one, known device and country), so the model scores the transaction on what
    /// it carries itself (amount, merchant category, channel, cross-border) and says nothing about velocity.
    /// </summary>
    public static CardVelocity Unknown(TransactionEvent transaction) => new(
        Count1m: 0, Count1h: 0, Count24h: 1,
        Sum1mMinor: 0, Sum1hMinor: 0, Sum24hMinor: transaction.AmountMinor,
        SmallAmounts1h: 0, DistinctMerchants24h: 1, DistinctCountries24h: 1,
        NewDevice: false, NewCountry: false,
        HistoryCount: 30, HistorySumMinor: transaction.AmountMinor * 30,
        LastAtMs: transaction.OccurredAtMs - VelocityWindows.Day / 2);
}

/// <summary>What this application's identifiers did before it. Counts exclude the application being scored.</summary>
internal readonly record struct ApplicationVelocity(
    int SsnApplications24h,
    int SsnApplications30d,
    int EmailApplications30d,
    int PhoneApplications30d,
    int DeviceApplications24h,
    int DeviceApplications30d,
    int LinkedSsns30d,
    bool SsnIdentityMismatch,
    int SsnOtherContacts30d)
{
    /// <summary>Used when Redis cannot answer in time: identifiers never seen before.</summary>
    public static ApplicationVelocity Unknown => default;
}

internal static class VelocityWindows
{
    public const long Minute = 60_000;
    public const long Hour = 60 * Minute;
    public const long Day = 24 * Hour;
    public const long ApplicationWindow = 30 * Day;
    /// <summary>How long a card's known devices, countries and usual spend are kept after its last use.</summary>
    public const long CardMemory = 90 * Day;
    /// <summary>How long the name/date of birth an SSN was used with is remembered.</summary>
    public const long IdentityMemory = 365 * Day;
    /// <summary>Amounts at or below this (minor units) count as "small" (the probing amounts of card testing).</summary>
    public const long SmallAmountMinor = 500;
    /// <summary>At most this many transactions per card are kept for the 24 h window; counts saturate there.</summary>
    public const int MaxEventsPerCard = 2000;
}
