namespace Platform.Fraud.Features;

/// <summary>
/// Fraud risk of a merchant category code (ISO 18245), 0 (groceries) to 1 (quasi-cash). The values are the
/// synthetic world's ground truth: the generator draws fraud from the risky categories more often, and the model
/// learns how much each level matters. Codes not listed get <see cref="DefaultRisk"/>.
/// </summary>
internal static class MerchantCategories
{
    public const float DefaultRisk = 0.3f;

    // Everyday spending.
    public const int Grocery = 5411;
    public const int Restaurant = 5812;
    public const int FastFood = 5814;
    public const int GasStation = 5541;
    public const int FuelDispenser = 5542;
    public const int Pharmacy = 5912;
    public const int Transit = 4111;
    public const int Utilities = 4900;
    public const int DepartmentStore = 5311;
    public const int Clothing = 5651;
    public const int Furniture = 5712;
    public const int Airline = 4511;
    public const int Hotel = 7011;
    public const int Streaming = 5815;
    // What fraudsters prefer: resellable goods, cash and things that are hard to claw back.
    public const int DigitalGoods = 5816;
    public const int SoftwareDownloads = 5818;
    public const int Charity = 8398;
    public const int Electronics = 5732;
    public const int Jewelry = 5944;
    public const int GiftCards = 5947;
    public const int DirectMarketing = 5967;
    public const int WireTransfer = 4829;
    public const int QuasiCash = 6051;
    public const int Gambling = 7995;
    public const int AtmCash = 6011;

    private static readonly Dictionary<int, float> Risk = new()
    {
        [Grocery] = 0.05f,
        [Restaurant] = 0.1f,
        [FastFood] = 0.08f,
        [GasStation] = 0.2f,
        [FuelDispenser] = 0.35f,
        [Pharmacy] = 0.1f,
        [Transit] = 0.05f,
        [Utilities] = 0.05f,
        [DepartmentStore] = 0.2f,
        [Clothing] = 0.25f,
        [Furniture] = 0.2f,
        [Airline] = 0.45f,
        [Hotel] = 0.3f,
        [Streaming] = 0.3f,
        [DigitalGoods] = 0.6f,
        [SoftwareDownloads] = 0.55f,
        [Charity] = 0.5f,
        [Electronics] = 0.7f,
        [Jewelry] = 0.75f,
        [GiftCards] = 0.8f,
        [DirectMarketing] = 0.7f,
        [WireTransfer] = 0.9f,
        [QuasiCash] = 0.95f,
        [Gambling] = 0.85f,
        [AtmCash] = 0.6f,
    };

    public static float RiskOf(int merchantCategoryCode) =>
        Risk.TryGetValue(merchantCategoryCode, out var risk) ? risk : DefaultRisk;
}
