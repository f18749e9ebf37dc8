using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>
/// An operation that needs a signed-in caller says so with a security requirement on the bearer scheme (when the
/// service authenticates with bearer tokens), so generated clients and validating proxies know to send the token.
/// </summary>
internal sealed class SecurityTransformer(IOptions<AuthorizationOptions> authorization, IServiceProvider services) : IOpenApiOperationTransformer
{
    public const string BearerSchemeId = "Bearer";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!EndpointFacts.RequiresAuthorization(context.Description, authorization.Value) || context.Document is not { } document) return;
        if (!await AuthenticatesWithBearerTokensAsync()) return;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes.TryAdd(BearerSchemeId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The access token from signing in, as `Authorization: Bearer <token>`.",
        });
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerSchemeId, document)] = [] }];
    }

    private async Task<bool> AuthenticatesWithBearerTokensAsync()
    {
        if (services.GetService(typeof(IAuthenticationSchemeProvider)) is not IAuthenticationSchemeProvider schemes) return false;
        return (await schemes.GetAllSchemesAsync()).Any(s => s.HandlerType.Name is "BearerTokenHandler" or "JwtBearerHandler");
    }
}
