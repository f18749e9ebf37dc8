namespace Platform.Api.Authorizations;

/// <summary>Why an authorization was declined: a stable code, its ISO 8583 response code and the words for people.</summary>
public sealed record DeclineReason(string Code, string ResponseCode, string Message)
{
    public static readonly DeclineReason InsufficientCredit = new("insufficient_credit", "51", "Not enough available credit.");
    public static readonly DeclineReason SuspectedFraud = new("suspected_fraud", "59", "Declined by the fraud check.");
    public static readonly DeclineReason CardNotActive = new("card_not_active", "62", "The card is not active.");
    public static readonly DeclineReason AccountNotOpen = new("account_not_open", "62", "The account is not open.");
    public static readonly DeclineReason ProcessorUnavailable = new("processor_unavailable", "91", "The card processor did not answer in time.");
    public static readonly DeclineReason PlatformBusy = new("platform_busy", "91", "The card platform is at capacity; try again with a new key.");

    public static DeclineReason FromProcessor(string responseCode, string message) => new("processor_declined", responseCode, message);
}
