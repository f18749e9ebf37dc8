namespace Platform.Api.Email;

// The typed models the templates render. They are serialized into the e-mail outbox and read back by the sender, so
// members are only ever added (with defaults), never renamed: a queued e-mail must still render after a deploy.
// Money is in minor units with its ISO 4217 code.

/// <summary>Asks a new customer to confirm their e-mail address.</summary>
public sealed record VerificationEmailModel(string DisplayName, string ConfirmationLink);

/// <summary>A sign-in from a device not seen before, or a password change.</summary>
public sealed record SecurityAlertEmailModel(
    string DisplayName,
    string Kind /* new-device-login | password-changed | registration-attempt | account-locked */,
    DateTimeOffset At,
    string? IpAddress,
    string? Device);

public static class SecurityAlertKinds
{
    public const string NewDeviceLogin = "new-device-login";
    public const string PasswordChanged = "password-changed";
    /// <summary>Someone tried to open an account with an address that already has one (the owner hears; the caller does not).</summary>
    public const string RegistrationAttempt = "registration-attempt";
    public const string AccountLocked = "account-locked";
}

/// <summary>A statement is ready; its PDF travels as an attachment of the e-mail.</summary>
public sealed record StatementReadyEmailModel(
    string DisplayName,
    string Period,
    long NewBalance,
    long MinimumPayment,
    string Currency,
    DateOnly DueDate);

/// <summary>A large purchase was approved, or a purchase was declined as suspected fraud.</summary>
public sealed record TransactionAlertEmailModel(
    string DisplayName,
    string Kind /* large-purchase | declined-fraud */,
    string CardLast4,
    string MerchantName,
    long Amount,
    string Currency,
    DateTimeOffset At);

public static class TransactionAlertKinds
{
    public const string LargePurchase = "large-purchase";
    public const string DeclinedFraud = "declined-fraud";
}

/// <summary>
/// The outcome of a credit application. On a decline it carries what an adverse-action notice must state (ECOA/Reg B
/// §1002.9 principal reasons; FCRA §615(a) score disclosure and bureau contact). Never an SSN or date of birth.
/// </summary>
public sealed record CreditDecisionEmailModel(
    string DisplayName,
    string Outcome /* approved | declined | pending_review */,
    DateTimeOffset DecidedAt,
    long? CreditLimit,
    decimal? Apr,
    string Currency,
    IReadOnlyList<CreditDecisionReason> Reasons,
    CreditScoreDisclosure? Score,
    string? BureauName,
    string? BureauAddress = null,
    string? BureauPhone = null,
    string? CreditorName = null,
    string? CreditorAddress = null);

public sealed record CreditDecisionReason(string Code, string Text);

/// <summary>The score used in a decision, its range, when it was created and the key factors that affected it.</summary>
public sealed record CreditScoreDisclosure(
    int? Score,
    int RangeMin,
    int RangeMax,
    string Model,
    string Source,
    DateTimeOffset Date,
    IReadOnlyList<CreditDecisionReason> KeyFactors);

/// <summary>The one-time code (or link) Identity issues for a password reset, sent only to the account's address.</summary>
public sealed record PasswordResetEmailModel(string DisplayName, string ResetCode);
