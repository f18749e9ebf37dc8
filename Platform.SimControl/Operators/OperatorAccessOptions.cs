namespace Platform.SimControl.Operators;

/// <summary>Settings under <c>OperatorAccess</c>: who may use the control API and the panel.</summary>
public sealed class OperatorAccessOptions
{
    public const string Section = "OperatorAccess";

    /// <summary>
    /// Whether a platform operator must sign in. Unset, it is required everywhere but Development, where QA runs the
    /// whole platform on one machine with the AppHost.
    /// </summary>
    public bool? Required { get; set; }

    /// <summary>The platform API that knows the operators (its <c>/v1/auth/login</c> and <c>/v1/me</c>).</summary>
    public string ApiBaseAddress { get; set; } = "https+http://api";

    /// <summary>How long a verified bearer token is trusted before the API is asked again.</summary>
    public int TokenCacheSeconds { get; set; } = 30;
}
