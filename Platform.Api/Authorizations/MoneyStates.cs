namespace Platform.Api.Authorizations;

/// <summary>Where an authorization is: pending until decided, then approved or declined; an approval later voided or expired.</summary>
public enum AuthorizationStatus { Pending, Approved, Declined, Voided, Expired }

/// <summary>What a card operation asks the processor for.</summary>
public enum OperationKind { Capture, Void, Refund, Reversal }

/// <summary>Requested (recorded), submitted (the processor took it), then succeeded or failed (its webhook or a refusal).</summary>
public enum OperationStatus { Requested, Submitted, Succeeded, Failed }

/// <summary>
/// The one place that spells these states as the database (and the public API) does: the lower-case member name.
/// Dapper reads the columns into the enums by name (ignoring case); parameters and answers use <c>Db()</c>.
/// </summary>
public static class MoneyStates
{
    public static string Db(this AuthorizationStatus status) => status switch
    {
        AuthorizationStatus.Pending => "pending",
        AuthorizationStatus.Approved => "approved",
        AuthorizationStatus.Declined => "declined",
        AuthorizationStatus.Voided => "voided",
        AuthorizationStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Db(this OperationKind kind) => kind switch
    {
        OperationKind.Capture => "capture",
        OperationKind.Void => "void",
        OperationKind.Refund => "refund",
        OperationKind.Reversal => "reversal",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Db(this OperationStatus status) => status switch
    {
        OperationStatus.Requested => "requested",
        OperationStatus.Submitted => "submitted",
        OperationStatus.Succeeded => "succeeded",
        OperationStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>A status read as text (from a webhook or an older row); throws on anything the schema does not allow.</summary>
    public static TState Parse<TState>(string spelled) where TState : struct, Enum =>
        Enum.TryParse<TState>(spelled, ignoreCase: true, out var state) && Enum.IsDefined(state) && !char.IsDigit(spelled[0])
            ? state
            : throw new FormatException($"'{spelled}' is not a {typeof(TState).Name}.");
}
