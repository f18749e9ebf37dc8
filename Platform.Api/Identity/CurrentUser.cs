using System.Security.Claims;

namespace Platform.Api.Identity;

public static class CurrentUser
{
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(PlatformRoles.Operator);

    /// <summary>Enough of an address to recognise it, not enough to harvest it: <c>a***@example.com</c>.</summary>
    public static string MaskEmail(string? email)
    {
        if (string.IsNullOrEmpty(email)) return "";
        var at = email.IndexOf('@');
        return at <= 0 ? "***" : email[0] + "***" + email[at..];
    }
}

public static class PlatformPolicies
{
    public const string Operator = "operator";
}
