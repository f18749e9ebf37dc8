using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.Mvc;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.Identity;

/// <summary>
/// What the sign-up and sign-in endpoints (lambdas over Identity's request shapes) do not say about themselves: an id
/// and a summary each, and the answers their handlers give without declaring them (the tokens a sign-in writes, the
/// 401 of a refused sign-in or refresh, the text of a confirmation).
/// </summary>
internal static class IdentityApiContract
{
    private sealed record Described(string OperationId, string Summary, params int[] Refusals)
    {
        /// <summary>The handler answers a sentence for the person who followed a link.</summary>
        public bool AnswersPlainText { get; init; }

        /// <summary>The handler signs in, and the bearer handler writes the tokens: nothing in its signature says so.</summary>
        public bool AnswersTokens { get; init; }
    }

    private static readonly Dictionary<string, Described> Endpoints = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST /register"] = new("Register", "Registers a customer with e-mail and password and sends the verification e-mail; answers the same whether or not the address already has an account."),
        ["POST /login"] = new("Login", "Signs in with e-mail and password and answers a bearer access token and a refresh token.", StatusCodes.Status401Unauthorized)
        {
            AnswersTokens = true,
        },
        ["POST /refresh"] = new("Refresh", "Exchanges a refresh token for a new access token and refresh token.", StatusCodes.Status401Unauthorized)
        {
            AnswersTokens = true,
        },
        ["GET /confirmEmail"] = new("ConfirmEmail", "Confirms an e-mail address with the link from the verification e-mail.", StatusCodes.Status401Unauthorized)
        {
            AnswersPlainText = true,
        },
        ["POST /resendConfirmationEmail"] = new("ResendConfirmationEmail", "Sends the verification e-mail again; answers the same whether or not the address is registered."),
        ["POST /forgotPassword"] = new("ForgotPassword", "Sends a password-reset code to a confirmed address; answers the same whether or not the address is registered."),
        ["POST /resetPassword"] = new("ResetPassword", "Sets a new password with the code from the password-reset e-mail."),
        ["GET /manage/info"] = new("GetAccountInfo", "Reads the signed-in user's e-mail address and whether it is confirmed."),
        ["POST /manage/info"] = new("UpdateAccountInfo", "Changes the signed-in user's e-mail address or password."),
    };

    /// <summary>Describes the sign-up and sign-in endpoints mapped under <paramref name="prefix"/>.</summary>
    public static IEndpointConventionBuilder DescribeIdentityEndpoints(this IEndpointConventionBuilder builder, string prefix)
    {
        builder.Add(endpoint =>
        {
            if (endpoint is not RouteEndpointBuilder route || route.Metadata.OfType<IHttpMethodMetadata>().FirstOrDefault()?.HttpMethods is not [var method, ..]) return;
            var path = "/" + (route.RoutePattern.RawText ?? "").Trim('/');
            if (path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase)) path = path[prefix.Length..];
            if (!Endpoints.TryGetValue($"{method} {path}", out var described)) return;
            route.Metadata.Add(new OperationIdMetadata(described.OperationId));
            route.Metadata.Add(new EndpointSummaryAttribute(described.Summary));
            if (described.AnswersTokens)
                route.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AccessTokenResponse), ["application/json"]));
            if (described.AnswersPlainText)
                route.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/plain"]));
            foreach (var status in described.Refusals)
                route.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
        });
        return builder;
    }

    /// <summary>Examples for the framework's request types, which cannot carry their own.</summary>
    public static void AddExamples(PlatformOpenApiOptions options) => options
        .AddRequestExample(new RegisterRequest { Email = "avery@example.com", Password = "Correct-Horse-7-Battery" })
        .AddRequestExample(new LoginRequest { Email = "avery@example.com", Password = "Correct-Horse-7-Battery" })
        .AddRequestExample(new RefreshRequest { RefreshToken = "CfDJ8…the refresh token from signing in" })
        .AddRequestExample(new ResendConfirmationEmailRequest { Email = "avery@example.com" })
        .AddRequestExample(new ForgotPasswordRequest { Email = "avery@example.com" })
        .AddRequestExample(new ResetPasswordRequest { Email = "avery@example.com", ResetCode = "the code from the password-reset e-mail", NewPassword = "Another-Horse-8-Battery" })
        .AddRequestExample(new InfoRequest { NewPassword = "Another-Horse-8-Battery", OldPassword = "Correct-Horse-7-Battery" });
}
