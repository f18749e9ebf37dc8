namespace Platform.Api.Email;

/// <summary>
/// An address as logs may show it: the first character of the local part and the domain ("a***@example.com"), enough
/// to tell deliveries apart without putting a customer's address in the logs.
/// </summary>
internal static class RecipientMask
{
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0) return "***";
        return address[0] + "***" + address[at..];
    }

    public static string Mask(IEnumerable<string> addresses) => string.Join(", ", addresses.Select(Mask));
}
