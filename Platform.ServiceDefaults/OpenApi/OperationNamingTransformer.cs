using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>
/// Every operation gets an id a code generator can name a method after: the endpoint's name when it has one, else its
/// handler's name (<c>CaptureAsync</c> → <c>Capture</c>), qualified by the handler's class (<c>CardsApi.GetAsync</c> →
/// <c>GetCards</c>) or, as a last resort, the route when two would collide (<see cref="ContractDocumentTransformer"/> settles collisions once all are known).
/// </summary>
internal sealed class OperationNamingTransformer : IOpenApiOperationTransformer
{
    public const string AlternativeIdsExtension = "x-platform-alternative-ids";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var routeId = RouteId(context.Description.HttpMethod ?? "", context.Description.RelativePath ?? "");
        if (EndpointFacts.Metadata(context.Description).OfType<OperationIdMetadata>().LastOrDefault() is { } chosen)
        {
            operation.OperationId = chosen.OperationId;
            return Task.CompletedTask;
        }
        if (!string.IsNullOrEmpty(operation.OperationId)) return Task.CompletedTask;
        if (EndpointFacts.NamedHandler(context.Description) is { } handler)
        {
            var name = TrimSuffix(handler.Name, "Async");
            var owner = TrimSuffix(handler.DeclaringType?.Name ?? "", "Api");
            // A bare verb says nothing on its own: ListAsync in StatementsApi is ListStatements.
            operation.OperationId = name is "Get" or "List" or "Set" or "Put" or "Post" or "Delete" or "Patch" ? name + owner : name;
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[AlternativeIdsExtension] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray(name + owner, routeId));
        }
        else
        {
            operation.OperationId = routeId;
        }
        return Task.CompletedTask;
    }

    private static string TrimSuffix(string value, string suffix) =>
        value.Length > suffix.Length && value.EndsWith(suffix, StringComparison.Ordinal) ? value[..^suffix.Length] : value;

    /// <summary><c>POST v1/authorizations/{authorizationId}/capture</c> → <c>PostV1AuthorizationsAuthorizationIdCapture</c>.</summary>
    public static string RouteId(string method, string path)
    {
        var id = new StringBuilder(method.Length > 0 ? char.ToUpperInvariant(method[0]) + method[1..].ToLowerInvariant() : "");
        // Route constraints ({id:guid}) are not part of the name.
        var withoutConstraints = System.Text.RegularExpressions.Regex.Replace(path, @"\{([^}:]+)[^}]*\}", "{$1}");
        foreach (var word in withoutConstraints.Split(['/', '{', '}', '-', '_', '.'], StringSplitOptions.RemoveEmptyEntries))
        {
            id.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
        }
        return id.ToString();
    }
}
