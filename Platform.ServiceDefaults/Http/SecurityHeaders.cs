using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every answer says about how a browser may treat it.</summary>
public sealed class SecurityHeadersOptions
{
    public const string Section = "SecurityHeaders";

    /// <summary><c>DENY</c> for the APIs; the panel, which frames its own pages (e-mail previews), uses <c>SAMEORIGIN</c>.</summary>
    public string FrameOptions { get; set; } = "DENY";

    /// <summary>Path prefixes whose answers carry customer data or credentials: never stored by a browser or a proxy.</summary>
    public List<string> NoStorePaths { get; set; } = [];
}

/// <summary>
/// <c>nosniff</c> (a JSON answer is never run as a script), framing refused, no referrer leaked to other sites, and
/// <c>Cache-Control: no-store</c> on the configured paths unless the handler chose its own caching.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<SecurityHeadersOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var o = options.Value;
        context.Response.OnStarting(static state =>
        {
            var (http, o) = ((HttpContext, SecurityHeadersOptions))state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = o.FrameOptions;
            headers["Referrer-Policy"] = "no-referrer";
            if (headers.CacheControl.Count == 0 && o.NoStorePaths.Any(p => http.Request.Path.StartsWithSegments(p)))
                headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, (context, o));
        return next(context);
    }
}
