using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Platform.Benchmarks.Authorize;

/// <summary>
/// Purchases spread like real card spending, so the fraud model's velocity features see what they would in
/// production: amounts log-normal around 25 USD (most small, a long tail, capped under the fraud fallback's 50 USD so
/// an unanswered fraud check does not become a decline), merchants weighted by category (groceries, restaurants, fuel,
/// online, transit, pharmacies…), mostly card-present, and every card used now and then rather than one card hammered.
/// Seeded: the same seed gives the same purchases.
/// </summary>
internal sealed class Spending(int seed)
{
    private static readonly (string Mcc, string Category, double Weight, string Channel)[] Categories =
    [
        ("5411", "Grocer", 0.22, "pos"), ("5812", "Restaurant", 0.14, "contactless"), ("5814", "Cafe", 0.12, "contactless"),
        ("5541", "Fuel", 0.09, "pos"), ("5999", "Online Shop", 0.11, "ecommerce"), ("4111", "Transit", 0.08, "contactless"),
        ("5912", "Pharmacy", 0.06, "pos"), ("5311", "Department Store", 0.05, "pos"), ("5942", "Books", 0.04, "ecommerce"),
        ("4121", "Taxi", 0.04, "ecommerce"), ("5691", "Clothing", 0.05, "pos"),
    ];

    private readonly Random random = new(seed);
    private readonly double totalWeight = Categories.Sum(c => c.Weight);

    public HttpRequestMessage Next(IReadOnlyList<Guid> cards)
    {
        var card = cards[random.Next(cards.Count)];
        var pick = random.NextDouble() * totalWeight;
        var category = Categories[^1];
        foreach (var c in Categories)
        {
            if ((pick -= c.Weight) <= 0) { category = c; break; }
        }
        // Log-normal: median 2,500 minor units, sigma 0.8; 1.00 to 49.99 USD.
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var amount = (long)Math.Clamp(Math.Exp(Math.Log(2_500) + 0.8 * gaussian), 100, 4_999);
        var merchant = $"{category.Category} {random.Next(1, 200)}";
        var json = string.Create(CultureInfo.InvariantCulture,
            $$$"""{"cardId":"{{{card}}}","amount":{{{amount}}},"currency":"USD","channel":"{{{category.Channel}}}","merchant":{"id":"m-{{{category.Mcc}}}-{{{merchant.GetHashCode() & 0xffff}}}","name":"{{{merchant}}}","mcc":"{{{category.Mcc}}}","country":"US"}}""");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorizations") { Content = content };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return request;
    }
}
