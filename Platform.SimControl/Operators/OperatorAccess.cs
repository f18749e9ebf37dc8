using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Platform.SimControl.Operators;

/// <summary>
/// Outside Development, the control API and the panel are for the platform's operators only, signed in with their
/// platform identity: the panel with a cookie issued after the API accepted their address and password, scripts with
/// a bearer token from the API. The simulators' own APIs keep their service credential (<see cref="SimulatorCredentials"/>).
/// </summary>
internal static class OperatorAccess
{
    public const string CookieScheme = "simcontrol-operator";
    public const string BearerScheme = "platform-bearer";
    public const string PanelPolicy = "simcontrol-panel";
    public const string ControlApiPolicy = "simcontrol-control-api";
    public const string LoginPath = "/login";
    private const string OperatorRole = "operator";

    public static IHostApplicationBuilder AddOperatorAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperatorAccessOptions>().BindConfiguration(OperatorAccessOptions.Section)
            .PostConfigure<IHostEnvironment>((o, environment) => o.Required ??= !environment.IsDevelopment());
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient<PlatformIdentityClient>((services, client) =>
            client.BaseAddress = new Uri(services.GetRequiredService<IOptions<OperatorAccessOptions>>().Value.ApiBaseAddress));
        builder.Services.AddAuthentication()
            .AddCookie(CookieScheme, options =>
            {
                options.LoginPath = LoginPath;
                options.AccessDeniedPath = LoginPath;
                options.Cookie.Name = "simcontrol.operator";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                // A script on the control API is told 401/403, not redirected to a page it cannot fill in.
                options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, OperatorBearerHandler>(BearerScheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PanelPolicy, policy => policy.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser().RequireRole(OperatorRole))
            .AddPolicy(ControlApiPolicy, policy => policy.AddAuthenticationSchemes(BearerScheme, CookieScheme).RequireAuthenticatedUser().RequireRole(OperatorRole));
        return builder;
    }

    /// <summary>Puts <paramref name="policy"/> on the endpoints when operator sign-in is required here.</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder endpoints, IServiceProvider services, string policy) where TBuilder : IEndpointConventionBuilder =>
        services.GetRequiredService<IOptions<OperatorAccessOptions>>().Value.Required == true ? endpoints.RequireAuthorization(policy) : endpoints;

    /// <summary>The login form posts here; an operator gets the panel's cookie, anyone else the form again.</summary>
    public static IEndpointRouteBuilder MapOperatorSignIn(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/login", SignInAsync).ExcludeFromDescription();
        app.MapPost("/auth/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieScheme);
            return Results.LocalRedirect(LoginPath);
        }).ExcludeFromDescription();
        return app;
    }

    public static ClaimsPrincipal Principal(PlatformUser user, string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.UserId),
        new Claim(ClaimTypes.Name, user.Email ?? user.UserId),
        .. user.Roles.Select(role => new Claim(ClaimTypes.Role, role)),
    ], scheme));

    private static async Task<IResult> SignInAsync([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext http, PlatformIdentityClient identity)
    {
        var back = returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) ? url : "/";
        var token = string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password) ? null : await identity.SignInAsync(email, password, http.RequestAborted);
        var user = token is null ? null : await identity.WhoIsAsync(token, http.RequestAborted);
        if (user is not { IsOperator: true }) return Results.LocalRedirect($"{LoginPath}?failed=1&returnUrl={Uri.EscapeDataString(back)}");
        await http.SignInAsync(CookieScheme, Principal(user, CookieScheme));
        return Results.LocalRedirect(back);
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (SimControlPaths.Apis.Any(prefix => context.Request.Path.StartsWithSegments(prefix))) context.Response.StatusCode = status;
        else context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
