using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>
/// An operation that needs an authenticated caller says how to authenticate, from the schemes its authorization names
/// (or the default scheme): a bearer token, or a service key in a header. Generated clients and validating proxies then
/// know what to send.
/// </summary>
internal sealed class SecurityTransformer(IOptions<AuthorizationOptions> authorization, IServiceProvider services) : IOpenApiOperationTransformer
{
    public const string BearerSchemeId = "Bearer";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!EndpointFacts.RequiresAuthorization(context.Description, authorization.Value) || context.Document is not { } document) return;
        if (services.GetService<IAuthenticationSchemeProvider>() is not { } schemes) return;
        var requirements = new List<OpenApiSecurityRequirement>();
        foreach (var name in await SchemeNamesAsync(context, schemes))
        {
            if (await schemes.GetSchemeAsync(name) is not { } scheme || Describe(scheme) is not var (id, securityScheme)) continue;
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes.TryAdd(id, securityScheme);
            requirements.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(id, document)] = [] });
        }
        if (requirements.Count > 0) operation.Security = requirements;
    }

    private async Task<HashSet<string>> SchemeNamesAsync(OpenApiOperationTransformerContext context, IAuthenticationSchemeProvider schemes)
    {
        var metadata = EndpointFacts.Metadata(context.Description);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in metadata.OfType<AuthorizationPolicy>()) names.UnionWith(policy.AuthenticationSchemes);
        var policies = services.GetService<IAuthorizationPolicyProvider>();
        foreach (var data in metadata.OfType<IAuthorizeData>())
        {
            if (data.AuthenticationSchemes is { Length: > 0 } listed) names.UnionWith(listed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            if (data.Policy is { Length: > 0 } policyName && policies is not null && await policies.GetPolicyAsync(policyName) is { } named)
                names.UnionWith(named.AuthenticationSchemes);
        }
        if (names.Count == 0 && await schemes.GetDefaultAuthenticateSchemeAsync() is { } fallback) names.Add(fallback.Name);
        // A forwarding scheme (a policy scheme, Identity's bearer-or-cookie composite) picks a real one per request; the
        // bearer schemes among those are what an API client uses.
        foreach (var name in names.ToList())
        {
            if (await schemes.GetSchemeAsync(name) is { } forwarding && forwarding.HandlerType != typeof(ApiKeyAuthenticationHandler) && !IsBearer(forwarding.HandlerType))
            {
                names.Remove(name);
                names.UnionWith((await schemes.GetAllSchemesAsync()).Where(s => IsBearer(s.HandlerType)).Select(s => s.Name));
            }
        }
        return names;
    }

    // ASP.NET Core's bearer-token and JWT handlers, and handlers of our own that take a bearer token (simcontrol's operator check).
    private static bool IsBearer(Type handler) => handler.Name == "BearerTokenHandler" || handler.Name.EndsWith("BearerHandler", StringComparison.Ordinal);

    private (string Id, OpenApiSecurityScheme Scheme)? Describe(AuthenticationScheme scheme)
    {
        if (scheme.HandlerType == typeof(ApiKeyAuthenticationHandler))
        {
            var header = services.GetRequiredService<IOptionsMonitor<ApiKeyAuthenticationOptions>>().Get(scheme.Name).HeaderName;
            return (scheme.Name, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = header,
                Description = $"The calling service's key, as the `{header}` header.",
            });
        }
        if (IsBearer(scheme.HandlerType))
        {
            return (BearerSchemeId, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The access token from signing in, as `Authorization: Bearer <token>`.",
            });
        }
        return null;
    }
}
