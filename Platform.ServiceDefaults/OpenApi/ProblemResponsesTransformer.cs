using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>
/// Declares every refusal an operation can give, from what its metadata says rather than a list per endpoint:
/// 400 when it binds anything from the request, 401 when it needs a signed-in caller, 403 when being signed in is not
/// enough, 429 when a rate limiter guards it, plus whatever its handler's results declare (404, 409, 422 …). Every
/// 4xx and 5xx answer is RFC 9457 problem details as <c>application/problem+json</c>, which is what the service
/// writes, also for bodyless results such as <c>NotFound()</c> (the status-code pages fill them in).
/// </summary>
internal sealed class ProblemResponsesTransformer(IOptions<AuthorizationOptions> authorization) : IOpenApiOperationTransformer
{
    public const string ProblemJson = "application/problem+json";
    public const string ProblemSchemaId = "ProblemDetails";
    public const string ValidationProblemSchemaId = "HttpValidationProblemDetails";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Document is not { } document) return;
        var description = context.Description;
        operation.Responses ??= [];
        if (EndpointFacts.TakesInput(description)) Declare(operation, StatusCodes.Status400BadRequest);
        // A body in a media type the operation does not read is refused before binding (the binder, or a handler reading by hand).
        if (EndpointFacts.RequestBodyType(description) is not null) Declare(operation, StatusCodes.Status415UnsupportedMediaType);
        if (EndpointFacts.RequiresAuthorization(description, authorization.Value)) Declare(operation, StatusCodes.Status401Unauthorized);
        if (EndpointFacts.MayForbid(description, authorization.Value)) Declare(operation, StatusCodes.Status403Forbidden);
        if (EndpointFacts.IsRateLimited(description))
        {
            DeclareRetryAfter(Declare(operation, StatusCodes.Status429TooManyRequests), "Seconds to wait before trying again.");
        }

        // Any operation may find its database restarting: StoreUnavailableExceptionHandler answers that 503.
        // (An operation that declares its own 503, such as the bureau being down, keeps its description.)
        if (!operation.Responses.ContainsKey("503"))
        {
            DeclareRetryAfter(Declare(operation, StatusCodes.Status503ServiceUnavailable), "Seconds to wait before sending the request again.");
        }

        if (EndpointFacts.Metadata(description).OfType<ServerErrorsMetadata>().Any())
        {
            operation.Responses.TryAdd("5XX", new OpenApiResponse { Description = DescribeRefusal("5XX") });
        }

        foreach (var (status, answer) in operation.Responses)
        {
            if (!IsRefusal(status) || answer is not OpenApiResponse response) continue;
            var validation = response.Content?.Values.Any(c => c.Schema is OpenApiSchemaReference { Reference.Id: ValidationProblemSchemaId }) == true;
            var schemaId = validation ? ValidationProblemSchemaId : ProblemSchemaId;
            await EnsureComponentAsync(context, document, schemaId, validation ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails), cancellationToken);
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemJson] = new() { Schema = new OpenApiSchemaReference(schemaId, document) },
            };
            if (string.IsNullOrWhiteSpace(response.Description) || response.Description == ReasonPhrases.GetReasonPhrase(int.TryParse(status, out var code) ? code : 0))
            {
                response.Description = DescribeRefusal(status);
            }
        }
    }

    private static OpenApiResponse Declare(OpenApiOperation operation, int status)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse response) return response;
        var declared = new OpenApiResponse { Description = DescribeRefusal(key) };
        operation.Responses[key] = declared;
        return declared;
    }

    private static void DeclareRetryAfter(OpenApiResponse response, string description)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers.TryAdd("Retry-After", new OpenApiHeader
        {
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
        });
    }

    private static async Task EnsureComponentAsync(OpenApiOperationTransformerContext context, OpenApiDocument document, string id, Type type, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas?.ContainsKey(id) == true) return;
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        document.AddComponent(id, schema);
    }

    private static bool IsRefusal(string status) =>
        status.Length == 3 && status[0] is '4' or '5';

    public static string DescribeRefusal(string status) => status switch
    {
        "400" => "The request is malformed or invalid: a parameter, header or body field does not bind or breaks a rule (validation problems name each field in `errors`).",
        "401" => "No valid credentials: sign in and send the access token.",
        "403" => "Signed in, but not allowed to do this.",
        "404" => "Not found, or not visible to this caller.",
        "409" => "Conflicts with the resource's current state, or with a request still being worked on.",
        "422" => "Understood but refused: the request cannot be carried out as sent.",
        "415" => "The body is not in a media type the operation reads (see its request body).",
        "429" => "Too many requests: wait the number of seconds in `Retry-After`.",
        "503" => "Temporarily unavailable (a store it needs is restarting or not answering); nothing was changed: send it again after `Retry-After`.",
        "5XX" => "A server-side failure (for a simulator, one it was told to produce).",
        _ => int.TryParse(status, out var code) && ReasonPhrases.GetReasonPhrase(code) is { Length: > 0 } phrase ? phrase : "Refused.",
    };
}
