namespace Platform.Fraud.Features;

/// <summary>Throwaway mailbox providers: an application from one of these is a classic synthetic-identity signal.</summary>
internal static class EmailDomains
{
    private static readonly HashSet<string> Disposable = new(StringComparer.OrdinalIgnoreCase)
    {
        "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "10minutemail.com",
        "10minutemail.net", "tempmail.com", "temp-mail.org", "tempmailo.com", "yopmail.com", "trashmail.com",
        "getnada.com", "dispostable.com", "maildrop.cc", "throwawaymail.com", "fakeinbox.com", "mintemail.com",
        "mohmal.com", "emailondeck.com", "burnermail.io", "mailnesia.com", "spamgourmet.com", "tempinbox.com",
        "moakt.com", "tempr.email",
    };

    /// <summary>Ordinary providers the generator draws legitimate addresses from.</summary>
    public static readonly string[] Common =
        ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "proton.me", "comcast.net"];

    /// <summary>A few of <see cref="Disposable"/>, for the generator.</summary>
    public static readonly string[] DisposableSamples = ["mailinator.com", "yopmail.com", "10minutemail.com", "guerrillamail.com", "tempmail.com"];

    public static bool IsDisposable(ReadOnlySpan<char> domain) =>
        Disposable.GetAlternateLookup<ReadOnlySpan<char>>().Contains(domain);
}
