using System.Globalization;

namespace Platform.SimControl.Traffic;

/// <summary>Checks a traffic request against the configured bounds and fills in the defaults.</summary>
internal static class TrafficPlanner
{
    private static readonly HashSet<string> Channels = ["pos", "contactless", "atm", "ecommerce", "moto"];

    public static readonly IReadOnlyList<TrafficMerchant> DefaultMerchants =
    [
        new("Corner Grocery", "5411", "US", "pos", 30),
        new("City Fuel", "5541", "US", "pos", 15),
        new("Bistro Nine", "5812", "US", "contactless", 20),
        new("Paperback Books Online", "5942", "US", "ecommerce", 15),
        new("Main Street Pharmacy", "5912", "US", "pos", 15),
        new("Skyline Air", "4511", "US", "ecommerce", 5),
    ];

    public static readonly AmountRange DefaultAmount = new(500, 15_000);

    public static readonly OperationMix DefaultOperations = new(1, 0, 0, 0);

    public static (TrafficPlan? Plan, Dictionary<string, string[]> Errors) Plan(TrafficRequest? request, TrafficOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["A JSON body with ratePerSecond and durationSeconds is required."];
            return (null, errors);
        }
        if (request.RatePerSecond is not { } rate || !double.IsFinite(rate) || rate <= 0 || rate > options.MaxRatePerSecond)
            errors["ratePerSecond"] = [$"Required: more than 0, at most {options.MaxRatePerSecond.ToString(CultureInfo.InvariantCulture)} (Traffic:MaxRatePerSecond)."];
        if (request.DurationSeconds is not { } duration || duration < 1 || duration > options.MaxDurationSeconds)
            errors["durationSeconds"] = [$"Required: 1 to {options.MaxDurationSeconds.ToString(CultureInfo.InvariantCulture)} (Traffic:MaxDurationSeconds)."];
        if (request.Cards is < 1 || request.Cards > options.MaxCards)
            errors["cards"] = [$"1 to {options.MaxCards.ToString(CultureInfo.InvariantCulture)} (Traffic:MaxCards)."];

        var amount = request.Amount ?? DefaultAmount;
        if (amount.Min < 1 || amount.Max > 100_000_000_00 || amount.Min > amount.Max)
            errors["amount"] = ["min and max in minor units, 1 ≤ min ≤ max ≤ 10,000,000,000."];

        var merchants = request.Merchants ?? DefaultMerchants;
        if (merchants.Count is 0 or > 50) errors["merchants"] = ["1 to 50 merchants."];
        for (var i = 0; i < merchants.Count; i++)
        {
            var m = merchants[i];
            if (m is null) { errors[$"merchants[{i}]"] = ["Required."]; continue; }
            if (string.IsNullOrWhiteSpace(m.Name) || m.Name.Length > 100) errors[$"merchants[{i}].name"] = ["Required, at most 100 characters."];
            if (m.Mcc is not { Length: 4 } mcc || !mcc.All(char.IsAsciiDigit)) errors[$"merchants[{i}].mcc"] = ["A 4-digit merchant category code."];
            if (m.Country is not { Length: 2 } country || !country.All(char.IsAsciiLetterUpper)) errors[$"merchants[{i}].country"] = ["An ISO 3166-1 alpha-2 code such as US."];
            if (m.Channel is not null && !Channels.Contains(m.Channel)) errors[$"merchants[{i}].channel"] = ["pos, contactless, atm, ecommerce or moto."];
            if (!double.IsFinite(m.Weight) || m.Weight < 0) errors[$"merchants[{i}].weight"] = ["0 or more."];
        }
        if (merchants.Count > 0 && merchants.All(m => m is null || !(m.Weight > 0))) errors["merchants"] = ["At least one merchant needs a weight above 0."];

        var operations = request.Operations ?? DefaultOperations;
        double[] weights = [operations.Authorize, operations.Capture, operations.Void, operations.Refund];
        if (weights.Any(w => !double.IsFinite(w) || w < 0)) errors["operations"] = ["Weights are 0 or more."];
        else if (weights.Sum() <= 0) errors["operations"] = ["At least one operation needs a weight above 0."];

        if (errors.Count > 0) return (null, errors);
        return (new TrafficPlan(request.RatePerSecond!.Value, request.DurationSeconds!.Value, request.Cards ?? options.DefaultCards, amount, merchants, operations), errors);
    }
}
