using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A request the framework could not read (a body that is not JSON or not the declared shape, a route or query value
/// of the wrong type, a missing body, an unsupported media type, a body over the size limit) is the caller's mistake:
/// it is answered with the framework's own status (400, 413, 415) and a validation problem naming the parameter or
/// JSON path, never with a 500. The message is built here rather than copied from the exception, because the
/// framework's text echoes the raw value, which may be an SSN or a card number.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest || httpContext.Response.HasStarted) return false;

        var (field, message) = Describe(badRequest);
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "Request body too large",
                    StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                    _ => "The request could not be read",
                },
            },
        });
    }

    internal static (string Field, string Message) Describe(BadHttpRequestException exception)
    {
        var parameter = ParameterName().Match(exception.Message) is { Success: true } match ? match.Groups["name"].Value : null;
        if (exception.InnerException is JsonException json)
        {
            var path = json.Path is { Length: > 1 } p ? p.TrimStart('$').TrimStart('.') : "";
            return (path.Length > 0 ? path : parameter ?? "body",
                path.Length > 0 ? "Not a valid value for this field (wrong type, out of range or invalid text)." : "The body is not valid JSON.");
        }
        return exception.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => ("body", "The request body is larger than this endpoint accepts."),
            StatusCodes.Status415UnsupportedMediaType => ("Content-Type", "Send the body as application/json."),
            _ when exception.Message.StartsWith("Failed to bind", StringComparison.Ordinal) => (parameter ?? "request", "Not a valid value for this parameter."),
            _ when exception.Message.Contains("no body was provided", StringComparison.Ordinal) || exception.Message.Contains("from body", StringComparison.Ordinal)
                => (parameter ?? "body", "A JSON body is required."),
            _ when exception.Message.StartsWith("Required parameter", StringComparison.Ordinal) => (parameter ?? "request", "Required."),
            _ => (parameter ?? "request", "The request could not be read."),
        };
    }

    [GeneratedRegex("""parameter "(?:[^"]* )?(?<name>[^" ]+)"(?: |\.|$)""")]
    private static partial Regex ParameterName();
}

/// <summary>
/// Anything else that escapes a handler is our fault: a 500 problem with the trace id to quote, and nothing of the
/// exception's text (it may carry data the caller must not see).
/// </summary>
internal sealed class UnhandledExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted) return false;
        // A caller that hung up needs no answer; 499 keeps the failure out of the server-error figures.
        var aborted = exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested;
        httpContext.Response.StatusCode = aborted ? 499 : StatusCodes.Status500InternalServerError;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = httpContext.Response.StatusCode,
                Title = aborted ? "Request aborted" : "An unexpected error occurred",
                Detail = aborted ? null : "The failure has been logged; quote the traceId when reporting it.",
            },
        });
    }
}
