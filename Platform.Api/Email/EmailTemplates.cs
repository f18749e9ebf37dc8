namespace Platform.Api.Email;

/// <summary>
/// The template names an <see cref="EmailMessage.Template"/> may carry. They are stored with queued e-mails, so a name
/// is never reused for a different model.
/// </summary>
public static class EmailTemplates
{
    public const string Verification = "verification";
    public const string CreditDecision = "credit-decision";
    public const string StatementReady = "statement-ready";
    public const string TransactionAlert = "transaction-alert";
    public const string SecurityAlert = "security-alert";
    public const string PasswordReset = "password-reset";
}
