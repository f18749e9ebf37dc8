namespace Platform.Fraud.Features;

/// <summary>How the card was used. Card-not-present channels carry more fraud than a chip or tap at a till.</summary>
internal enum TransactionChannel
{
    Pos,
    Contactless,
    Atm,
    Ecommerce,
    Moto,
}

internal static class TransactionChannels
{
    /// <summary>The wire names, in the order of <see cref="TransactionChannel"/>.</summary>
    public static readonly string[] Names = ["pos", "contactless", "atm", "ecommerce", "moto"];

    public static bool TryParse(string? value, out TransactionChannel channel)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], value, StringComparison.OrdinalIgnoreCase))
            {
                channel = (TransactionChannel)i;
                return true;
            }
        }
        channel = default;
        return false;
    }

    public static bool IsCardNotPresent(this TransactionChannel channel) =>
        channel is TransactionChannel.Ecommerce or TransactionChannel.Moto;
}
