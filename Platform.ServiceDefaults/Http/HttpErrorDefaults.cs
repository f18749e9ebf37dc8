using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How every service answers what goes wrong: a problem-details body for every 4xx and 5xx, in every environment,
/// however early in the pipeline the answer was decided (host filtering, routing's 404 and 405, authentication's
/// 401 and 403, the rate limiter's 429, a request the binder could not read).
/// </summary>
public static class HttpErrorDefaults
{
    public static TBuilder AddHttpErrorDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        // Before AddProblemDetails registers the framework's writer, so this one is asked first.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails();
        // Binding failures throw in every environment (only Development does by default), so that the handler below
        // can name the parameter; otherwise Production answers an empty 400 and Development a 500.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<StoreUnavailableExceptionHandler>();
        services.AddExceptionHandler<UnhandledExceptionHandler>();
        // Host filtering runs before any middleware of ours; with its HTML message off, the status-code pages below
        // give its 400 a problem body like every other.
        services.PostConfigure<HostFilteringOptions>(options => options.IncludeFailureMessage = false);
        services.AddOptions<SecurityHeadersOptions>().BindConfiguration(SecurityHeadersOptions.Section);
        // First of all start-up filters, so its middleware wraps even the framework's own (host filtering).
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, OutermostErrorPagesStartupFilter>());
        return builder;
    }

    /// <summary>
    /// Exceptions become problem details. A service with HTML pages names its error page and the path prefixes of its
    /// HTTP APIs: the page serves the pages only; an API path never gets HTML (nor, for a PUT, a 405 from re-executing
    /// the page with the original method).
    /// </summary>
    public static WebApplication UseDefaultExceptionHandling(this WebApplication app, string? pageErrorPath = null, params string[] apiPathPrefixes)
    {
        if (pageErrorPath is null)
        {
            app.UseExceptionHandler();
            return app;
        }
        app.UseWhen(context => IsApiPath(context, apiPathPrefixes), api => api.UseExceptionHandler());
        app.UseWhen(context => !IsApiPath(context, apiPathPrefixes), pages => pages.UseExceptionHandler(pageErrorPath, createScopeForErrors: true));
        return app;
    }

    private static bool IsApiPath(HttpContext context, string[] prefixes) =>
        prefixes.Any(prefix => context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    private sealed class OutermostErrorPagesStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseStatusCodePages();
            app.UseMiddleware<SecurityHeadersMiddleware>();
            next(app);
        };
    }
}
