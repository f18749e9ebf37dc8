using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A database that is restarting, refusing connections or shedding load is not a bug to quote a trace id for: the
/// request is answered 503 with <c>Retry-After</c>, so a client (and the chaos run, which saw thousands of 500s during
/// each PostgreSQL restart) knows to try again. Every write the platform makes is transactional and keyed, so a
/// request that failed this way changed nothing and may be sent again with the same idempotency key.
/// </summary>
internal sealed class StoreUnavailableExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    internal const int RetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted || !IsStoreUnavailable(exception)) return false;
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers[HeaderNames.RetryAfter] = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = "A store this request needs is not answering; nothing was changed. Send the request again (with the same idempotency key) after Retry-After.",
            },
        });
    }

    /// <summary>
    /// Transient by the driver's own judgement (connection lost, timeout, serialization failure), or a SQLSTATE of
    /// class 08 (connection exception), 53 (insufficient resources) or 57P (operator intervention: shutdown, restart).
    /// </summary>
    internal static bool IsStoreUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException db && (db.IsTransient || db.SqlState is { } state
                && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal))))
                return true;
        }
        return false;
    }
}
