namespace Platform.Fraud.Features;

/// <summary>
/// Every Redis key the fraud service writes, in one place. The part in braces is an <see cref="IdentityHasher"/>
/// hash, never a raw identifier; braces make all keys of one card share a cluster slot.
/// </summary>
internal static class RedisKeys
{
    public const string Prefix = "fraud:";

    public static string CardTransactions(string card) => $"{Prefix}card:{{{card}}}:tx";
    public static string CardMerchants(string card) => $"{Prefix}card:{{{card}}}:merchants";
    public static string CardCountries(string card) => $"{Prefix}card:{{{card}}}:countries";
    public static string CardDevices(string card) => $"{Prefix}card:{{{card}}}:devices";
    public static string CardStats(string card) => $"{Prefix}card:{{{card}}}:stats";

    public static string SsnApplications(string ssn) => $"{Prefix}app:ssn:{{{ssn}}}:apps";
    public static string SsnIdentities(string ssn) => $"{Prefix}app:ssn:{{{ssn}}}:identities";
    public static string SsnEmails(string ssn) => $"{Prefix}app:ssn:{{{ssn}}}:emails";
    public static string SsnPhones(string ssn) => $"{Prefix}app:ssn:{{{ssn}}}:phones";
    public static string EmailApplications(string email) => $"{Prefix}app:email:{{{email}}}:apps";
    public static string EmailSsns(string email) => $"{Prefix}app:email:{{{email}}}:ssns";
    public static string PhoneApplications(string phone) => $"{Prefix}app:phone:{{{phone}}}:apps";
    public static string PhoneSsns(string phone) => $"{Prefix}app:phone:{{{phone}}}:ssns";
    public static string DeviceApplications(string device) => $"{Prefix}app:device:{{{device}}}:apps";
    public static string DeviceSsns(string device) => $"{Prefix}app:device:{{{device}}}:ssns";

    /// <summary>Purposes for <see cref="IdentityHasher.Hash"/>.</summary>
    public static class Purpose
    {
        public const string Card = "card";
        public const string Merchant = "merchant";
        public const string Device = "device";
        public const string Ssn = "ssn";
        public const string Email = "email";
        public const string Phone = "phone";
        public const string Identity = "identity";
    }
}
