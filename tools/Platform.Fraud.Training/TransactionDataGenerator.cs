using Platform.Fraud.Features;
using static Platform.Fraud.Features.MerchantCategories;

namespace Platform.Fraud.Training;

/// <summary>A generated transaction with its ground truth and, for fraud, the pattern that produced it.</summary>
internal sealed record LabelledTransaction(TransactionEvent Event, bool IsFraud, string Pattern);

/// <summary>
/// A synthetic card portfolio: cards with their own habits (usual amount, pace, favourite merchants, share of
/// online spending, devices), legitimate noise that looks risky (travel, big one-off purchases, new phones, quick
/// retries at a till) and fraud episodes of four kinds:
/// <list type="bullet">
/// <item>card testing: a burst of small online amounts at digital-goods merchants, often followed by a cash-out;</item>
/// <item>account takeover: a new device, often a new country, then purchases far above the card's usual amount at risky merchants;</item>
/// <item>stolen or skimmed card: card-present cash and resellable goods in quick succession, often abroad;</item>
/// <item>low-signal fraud: one or two ordinary-looking online purchases (kept so the task is not trivially separable).</item>
/// </list>
/// </summary>
internal static class TransactionDataGenerator
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const long Minute = VelocityWindows.Minute;
    private const long Hour = VelocityWindows.Hour;
    private const long Day = VelocityWindows.Day;

    private static readonly (string Country, double Weight)[] HomeCountries =
        [("US", 0.85), ("CA", 0.04), ("GB", 0.04), ("DE", 0.03), ("FR", 0.02), ("MX", 0.02)];
    private static readonly string[] AllCountries = ["US", "CA", "GB", "DE", "FR", "MX", "ES", "IT", "NL", "BR", "NG", "RU", "CN", "IN", "PH", "RO", "UA", "VN"];

    /// <summary>Everyday categories with their share of spending and amount relative to the card's usual.</summary>
    private static readonly (int Mcc, double Weight, double AmountFactor)[] EverydayCategories =
    [
        (Grocery, 0.24, 1.2), (Restaurant, 0.14, 0.9), (FastFood, 0.1, 0.3), (GasStation, 0.08, 1.1),
        (FuelDispenser, 0.04, 1.1), (Pharmacy, 0.06, 0.6), (Transit, 0.05, 0.2), (Utilities, 0.03, 2.5),
        (DepartmentStore, 0.07, 1.5), (Clothing, 0.06, 1.6), (Streaming, 0.04, 0.35), (Electronics, 0.025, 3.0),
        (Hotel, 0.015, 4.0), (Airline, 0.01, 6.0), (Furniture, 0.01, 5.0), (Gambling, 0.005, 1.5),
        (Jewelry, 0.005, 4.0), (GiftCards, 0.005, 1.0), (DigitalGoods, 0.015, 0.4), (Charity, 0.005, 1.0),
    ];

    private static readonly int[] CardTestingCategories = [DigitalGoods, SoftwareDownloads, Charity, Streaming];
    private static readonly int[] CashOutCategories = [Electronics, GiftCards, Jewelry, QuasiCash];
    private static readonly int[] TakeoverCategories = [Electronics, Jewelry, GiftCards, WireTransfer, QuasiCash, DirectMarketing];
    private static readonly int[] StolenCardCategories = [AtmCash, Electronics, FuelDispenser, DepartmentStore, Jewelry];
    private static readonly int[] LowSignalCategories = [Clothing, DepartmentStore, Restaurant, Streaming];
    private static readonly int[] BigPurchaseCategories = [Furniture, Electronics, Airline, Hotel];

    public static List<LabelledTransaction> Generate(int seed, int cards, int days)
    {
        var random = new SyntheticRandom(seed);
        var merchants = new MerchantPool(random);
        var all = new List<LabelledTransaction>(cards * days * 2);
        var card = new List<LabelledTransaction>();
        for (var c = 0; c < cards; c++)
        {
            card.Clear();
            var profile = CardProfile.Draw(random, merchants, $"card-{seed}-{c}");
            GenerateLegitimate(random, merchants, profile, days, card);
            if (random.Chance(0.08))
            {
                var start = random.Long(3 * Day, (days - 1) * Day);
                GenerateFraud(random, merchants, profile, start, card);
            }
            // Stable sort: events at the same millisecond keep the order they were made in.
            all.AddRange(card.OrderBy(t => t.Event.OccurredAtMs));
        }
        return all;
    }

    private static void GenerateLegitimate(SyntheticRandom random, MerchantPool merchants, CardProfile profile, int days, List<LabelledTransaction> output)
    {
        var end = days * Day;
        var trip = random.Chance(0.05) ? Trip.Draw(random, profile, days) : null;
        var t = (long)(random.Exponential(profile.PerDay) * Day);
        while (t < end)
        {
            var abroad = trip is not null && t >= trip.Start && t < trip.End;
            var country = abroad ? trip!.Country : profile.Home;
            var cardNotPresent = !abroad && random.Chance(profile.OnlineShare);
            var (mcc, factor) = Everyday(random);
            var merchant = !abroad && !cardNotPresent && random.Chance(0.75)
                ? random.Pick(profile.Favourites)
                : merchants.Draw(country, mcc);
            var amount = profile.UsualMinor * factor * random.LogNormal(1, 0.6);
            string pattern = "legit";
            if (random.Chance(0.015))
            {
                merchant = merchants.Draw(country, random.Pick(BigPurchaseCategories));
                amount = profile.UsualMinor * random.Uniform(5, 20);
                pattern = "legit-big-purchase";
            }
            var channel = cardNotPresent
                ? (random.Chance(0.95) ? TransactionChannel.Ecommerce : TransactionChannel.Moto)
                : merchant.Mcc == AtmCash ? TransactionChannel.Atm
                : random.Chance(0.5) ? TransactionChannel.Contactless : TransactionChannel.Pos;
            if (!cardNotPresent && random.Chance(0.03))
            {
                merchant = merchants.Draw(country, AtmCash);
                channel = TransactionChannel.Atm;
                amount = 2000 * random.Int(1, 10);
                pattern = "legit-atm";
            }
            string? device = null;
            if (cardNotPresent)
            {
                if (random.Chance(0.02))
                {
                    profile.Devices.Add(random.Id("dev-"));
                    pattern = "legit-new-device";
                }
                device = random.Pick(profile.Devices);
            }
            var minor = Math.Max(50, (long)amount);
            output.Add(Legit(profile, merchant, minor, channel, device, t, random, abroad ? "legit-travel" : pattern));
            if (!cardNotPresent && random.Chance(0.02))
            {
                // A second try at the till, or a split bill: quick, same place, similar amount.
                var again = t + random.Long(10_000, 3 * Minute);
                output.Add(Legit(profile, merchant, Math.Max(50, (long)(minor * random.Uniform(0.3, 1.1))), channel, device, again, random, "legit-retry"));
            }
            var pace = abroad ? profile.PerDay * 1.5 : profile.PerDay;
            t += Math.Max(Minute, (long)(random.Exponential(pace) * Day));
        }
    }

    private static void GenerateFraud(SyntheticRandom random, MerchantPool merchants, CardProfile profile, long start, List<LabelledTransaction> output)
    {
        var kind = random.Pick<string>([("card-testing", 0.35), ("account-takeover", 0.25), ("stolen-card", 0.2), ("low-signal", 0.2)]);
        var foreign = random.Pick(AllCountries.Where(c => c != profile.Home).ToArray());
        switch (kind)
        {
            case "card-testing":
            {
                var device = random.Id("dev-x-");
                var country = random.Chance(0.5) ? profile.Home : foreign;
                var testers = Enumerable.Range(0, random.Int(1, 3))
                    .Select(_ => merchants.Draw(random.Chance(0.6) ? country : foreign, random.Pick(CardTestingCategories))).ToArray();
                var attempts = random.Int(5, 30);
                var span = random.Long(Minute, 15 * Minute);
                var t = start;
                for (var i = 0; i < attempts; i++)
                {
                    var amount = random.Chance(0.3) ? 100 : random.Long(50, 499);
                    output.Add(Fraud(profile, random.Pick(testers), amount, TransactionChannel.Ecommerce, device, t, random, kind));
                    t += span / attempts + random.Long(0, 5_000);
                }
                if (random.Chance(0.5))
                {
                    for (var i = random.Int(1, 3); i > 0; i--)
                    {
                        t += random.Long(Minute, 30 * Minute);
                        output.Add(Fraud(profile, merchants.Draw(country, random.Pick(CashOutCategories)), random.Long(20_000, 150_000),
                            TransactionChannel.Ecommerce, device, t, random, "card-testing-cash-out"));
                    }
                }
                break;
            }
            case "account-takeover":
            {
                var device = random.Id("dev-x-");
                var country = random.Chance(0.6) ? foreign : profile.Home;
                var t = start;
                for (var i = random.Int(1, 5); i > 0; i--)
                {
                    var amount = Math.Max(15_000, (long)(profile.UsualMinor * random.Uniform(3, 25)));
                    output.Add(Fraud(profile, merchants.Draw(country, random.Pick(TakeoverCategories)), amount,
                        TransactionChannel.Ecommerce, device, t, random, kind));
                    t += random.Long(2 * Minute, 60 * Minute);
                }
                break;
            }
            case "stolen-card":
            {
                var country = random.Chance(0.5) ? foreign : profile.Home;
                var t = start;
                for (var i = random.Int(2, 8); i > 0; i--)
                {
                    var mcc = random.Pick(StolenCardCategories);
                    var (amount, channel) = mcc switch
                    {
                        AtmCash => (2_000L * random.Int(5, 25), TransactionChannel.Atm),
                        FuelDispenser => (random.Long(5_000, 12_000), TransactionChannel.Pos),
                        _ => (Math.Max(8_000, (long)(profile.UsualMinor * random.Uniform(2, 12))),
                            random.Chance(0.5) ? TransactionChannel.Contactless : TransactionChannel.Pos),
                    };
                    output.Add(Fraud(profile, merchants.Draw(country, mcc), amount, channel, null, t, random, kind));
                    t += random.Long(3 * Minute, 90 * Minute);
                }
                break;
            }
            default:
            {
                var device = random.Chance(0.5) ? random.Pick(profile.Devices) : random.Id("dev-x-");
                var t = start;
                for (var i = random.Int(1, 2); i > 0; i--)
                {
                    var amount = Math.Max(500, (long)(profile.UsualMinor * random.Uniform(1, 4)));
                    output.Add(Fraud(profile, merchants.Draw(profile.Home, random.Pick(LowSignalCategories)), amount,
                        TransactionChannel.Ecommerce, device, t, random, kind));
                    t += random.Long(30 * Minute, 12 * Hour);
                }
                break;
            }
        }
    }

    private static (int Mcc, double Factor) Everyday(SyntheticRandom random)
    {
        var pick = random.Pick(EverydayCategories.Select(c => ((c.Mcc, c.AmountFactor), c.Weight)).ToArray());
        return pick;
    }

    private static LabelledTransaction Legit(CardProfile profile, Merchant merchant, long amount, TransactionChannel channel,
        string? device, long t, SyntheticRandom random, string pattern) =>
        new(Event(profile, merchant, amount, channel, device, t, random), false, pattern);

    private static LabelledTransaction Fraud(CardProfile profile, Merchant merchant, long amount, TransactionChannel channel,
        string? device, long t, SyntheticRandom random, string pattern) =>
        new(Event(profile, merchant, amount, channel, device, t, random), true, pattern);

    private static TransactionEvent Event(CardProfile profile, Merchant merchant, long amount, TransactionChannel channel,
        string? device, long t, SyntheticRandom random) =>
        new(random.Id("tx-"), profile.CardId, amount, "USD", merchant.Id, merchant.Mcc, merchant.Country, profile.Home,
            channel, device, Epoch.ToUnixTimeMilliseconds() + t);

    private sealed record Merchant(string Id, int Mcc, string Country);

    /// <summary>Merchants per country and category, made on first use and then reused by many cards.</summary>
    private sealed class MerchantPool(SyntheticRandom random)
    {
        private readonly Dictionary<(string, int), List<Merchant>> byCountryAndCategory = [];

        public Merchant Draw(string country, int mcc)
        {
            if (!byCountryAndCategory.TryGetValue((country, mcc), out var list))
            {
                list = [];
                byCountryAndCategory[(country, mcc)] = list;
            }
            // Up to 40 merchants per bucket; a new one is opened now and then.
            if (list.Count < 40 && (list.Count == 0 || random.Chance(0.2)))
            {
                list.Add(new Merchant(random.Id("m-"), mcc, country));
            }
            return random.Pick(list);
        }
    }

    private sealed record CardProfile(string CardId, string Home, double UsualMinor, double PerDay, double OnlineShare,
        List<string> Devices, Merchant[] Favourites)
    {
        public static CardProfile Draw(SyntheticRandom random, MerchantPool merchants, string cardId)
        {
            var home = random.Pick(HomeCountries);
            var devices = Enumerable.Range(0, random.Int(1, 2)).Select(_ => random.Id("dev-")).ToList();
            var favourites = Enumerable.Range(0, random.Int(6, 20))
                .Select(_ => merchants.Draw(home, Everyday(random).Mcc)).ToArray();
            return new CardProfile(cardId, home,
                UsualMinor: random.LogNormal(3_500, 0.6),
                PerDay: Math.Clamp(random.LogNormal(1.3, 0.6), 0.2, 8),
                OnlineShare: random.Uniform(0.05, 0.6),
                devices, favourites);
        }
    }

    private sealed record Trip(long Start, long End, string Country)
    {
        public static Trip Draw(SyntheticRandom random, CardProfile profile, int days)
        {
            var start = random.Long(Day, Math.Max(2, days - 3) * Day);
            return new Trip(start, start + random.Long(2 * Day, 10 * Day),
                random.Pick(AllCountries.Take(10).Where(c => c != profile.Home).ToArray()));
        }
    }
}
