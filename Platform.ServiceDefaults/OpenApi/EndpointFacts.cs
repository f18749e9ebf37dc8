using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.RateLimiting;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>What an endpoint's metadata says about the answers it can give, independent of its handler.</summary>
internal static class EndpointFacts
{
    public static IList<object> Metadata(ApiDescription description) => description.ActionDescriptor.EndpointMetadata;

    /// <summary>The named handler method, or null for a lambda (including the framework's own endpoints).</summary>
    public static MethodInfo? NamedHandler(ApiDescription description) =>
        Metadata(description).OfType<MethodInfo>().FirstOrDefault(m =>
            m.GetCustomAttribute<CompilerGeneratedAttribute>() is null
            && m.DeclaringType?.GetCustomAttribute<CompilerGeneratedAttribute>() is null
            && !m.Name.Contains('<', StringComparison.Ordinal));

    /// <summary>True when a caller must be signed in: the endpoint (or its group) demands it, or the fallback policy does.</summary>
    public static bool RequiresAuthorization(ApiDescription description, AuthorizationOptions options)
    {
        var metadata = Metadata(description);
        if (metadata.OfType<IAllowAnonymous>().Any()) return false;
        return metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<AuthorizationPolicy>().Any() || options.FallbackPolicy is not null;
    }

    /// <summary>True when being signed in is not enough: a named policy, roles, or requirements beyond sign-in.</summary>
    public static bool MayForbid(ApiDescription description, AuthorizationOptions options)
    {
        if (!RequiresAuthorization(description, options)) return false;
        var metadata = Metadata(description);
        var authorizeData = metadata.OfType<IAuthorizeData>().ToList();
        return authorizeData.Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles))
            || metadata.OfType<AuthorizationPolicy>().Any(DemandsMoreThanSignIn)
            || (authorizeData.Count > 0 && DemandsMoreThanSignIn(options.DefaultPolicy))
            || (authorizeData.Count == 0 && options.FallbackPolicy is { } fallback && DemandsMoreThanSignIn(fallback));
    }

    private static bool DemandsMoreThanSignIn(AuthorizationPolicy policy) =>
        policy.Requirements.Any(r => r is not DenyAnonymousAuthorizationRequirement);

    /// <summary>
    /// True when a rate-limiting policy guards the endpoint. A global limiter is not taken as one: it partitions by
    /// request, and may (as the API's does) pass everything outside the policies through; the contract tests catch a
    /// 429 an endpoint gives without declaring it.
    /// </summary>
    public static bool IsRateLimited(ApiDescription description) =>
        Metadata(description) is var metadata
        && !metadata.OfType<DisableRateLimitingAttribute>().Any()
        && metadata.OfType<EnableRateLimitingAttribute>().Any();

    /// <summary>True when the request carries anything the server binds and can therefore find malformed.</summary>
    public static bool TakesInput(ApiDescription description) =>
        description.ParameterDescriptions.Any(p => p.Source is { } source
            && (source == BindingSource.Body || source == BindingSource.Query || source == BindingSource.Header
                || source == BindingSource.Path || source == BindingSource.Form || source == BindingSource.FormFile))
        || Metadata(description).OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().Any(a => a.RequestType is not null)
        || Metadata(description).OfType<DeclaredHeaderMetadata>().Any(h => h.Required);

    public static Type? RequestBodyType(ApiDescription description) =>
        description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type
        ?? Metadata(description).OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().Select(a => a.RequestType).LastOrDefault(t => t is not null);
}
