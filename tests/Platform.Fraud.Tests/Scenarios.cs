using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Fraud.Features;
using Platform.Fraud.Scoring;

namespace Platform.Fraud.Tests;

/// <summary>Hand-made events and a scorer over the shipped models with in-memory velocity.</summary>
internal static class Scenarios
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 15, 30, 0, TimeSpan.Zero);

    private static readonly Lazy<FraudModels> ShippedModels = new(() =>
        new FraudModels(Options.Create(new FraudOptions { VelocityHashKey = FraudServiceFactory.TestHashKey })));

    public static FraudModels Models => ShippedModels.Value;

    public static FraudScorer Scorer(IVelocityStore store) => new(Models,
        new VelocityReader(store, Options.Create(new FraudOptions
        {
            VelocityHashKey = FraudServiceFactory.TestHashKey,
            TransactionVelocityTimeoutMs = 1000,
            ApplicationVelocityTimeoutMs = 1000,
        }), NullLogger<VelocityReader>.Instance),
        new FraudTelemetry(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

    public static TransactionEvent Transaction(string card, long amountMinor, DateTimeOffset at,
        int mcc = MerchantCategories.Grocery, string merchant = "m-grocer-1", string country = "US",
        TransactionChannel channel = TransactionChannel.Contactless, string? device = null, string? id = null) =>
        new(id ?? Guid.NewGuid().ToString("N"), card, amountMinor, "USD", merchant, mcc, country, "US", channel, device, at.ToUnixTimeMilliseconds());

    /// <summary>A month of ordinary spending: about two purchases a day around 40 USD at a handful of local merchants.</summary>
    public static async Task OrdinaryHistoryAsync(IVelocityStore store, string card, DateTimeOffset until, string device = "dev-phone-1")
    {
        var random = new Random(card.Sum(c => c)); // string.GetHashCode differs per process
        (int Mcc, string Merchant)[] places =
        [
            (MerchantCategories.Grocery, "m-grocer-1"), (MerchantCategories.Restaurant, "m-diner-1"),
            (MerchantCategories.GasStation, "m-gas-1"), (MerchantCategories.Pharmacy, "m-pharmacy-1"),
            (MerchantCategories.Grocery, "m-grocer-2"),
        ];
        for (var at = until.AddDays(-30); at < until.AddHours(-6); at = at.AddHours(8 + random.Next(0, 8)))
        {
            var (mcc, merchant) = places[random.Next(places.Length)];
            var online = random.NextDouble() < 0.2;
            await store.RecordTransactionAsync(Transaction(card, 2_500 + random.Next(0, 3_500), at, mcc, merchant,
                channel: online ? TransactionChannel.Ecommerce : TransactionChannel.Contactless, device: online ? device : null), default);
        }
    }

    public static ApplicationEvent Application(DateTimeOffset at, string ssn = "123456789", string email = "jane.miller@gmail.com",
        string phone = "15555550123", string device = "dev-laptop-1", int? ssnIssuedYear = 2001, DateOnly? dateOfBirth = null,
        long incomeMinor = 7_200_000, int? monthsAtAddress = 60, string firstName = "Jane", string lastName = "Miller",
        string? ipCountry = "US") =>
        new(Guid.NewGuid().ToString("N"), firstName, lastName, dateOfBirth ?? new DateOnly(1984, 3, 14), ssn, ssnIssuedYear, email, phone,
            "US", monthsAtAddress, incomeMinor, ipCountry, device, at.ToUnixTimeMilliseconds());
}
