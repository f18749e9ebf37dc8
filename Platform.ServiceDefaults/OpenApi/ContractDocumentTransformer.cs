using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>
/// The whole-document rules: the document names the service, not the host it was fetched from (no <c>servers</c>, so
/// the committed copy is the same wherever it is generated); operation ids are unique; and a property that may be null
/// or has a default is not required, since the service accepts a request without it (and may leave it out); numbers are numbers.
/// </summary>
internal sealed class ContractDocumentTransformer(IOptions<PlatformOpenApiOptions> options, IHostEnvironment environment) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = options.Value.Title ?? environment.ApplicationName;
        document.Info.Version = PlatformOpenApiExtensions.DocumentName;
        if (options.Value.Description is { } description) document.Info.Description = description;
        document.Servers = [];

        SettleOperationIds(document);
        foreach (var operation in (document.Paths ?? []).SelectMany(p => p.Value.Operations ?? []).Select(o => o.Value))
        {
            // Answers in status order, so that a reader (and a diff) finds them where expected.
            if (operation.Responses is { } responses)
            {
                var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
                responses.Clear();
                foreach (var (status, response) in sorted) responses.Add(status, response);
            }
        }
        foreach (var schema in Schemas.All(document))
        {
            RequireOnlyWhatMustBeSent(schema);
            NumbersAreNumbers(schema);
        }
        if (document.Components?.Schemas is { } schemas)
        {
            document.Components.Schemas = new SortedDictionary<string, IOpenApiSchema>(schemas, StringComparer.Ordinal);
        }
        return Task.CompletedTask;
    }

    private static void SettleOperationIds(OpenApiDocument document)
    {
        var operations = (document.Paths ?? []).SelectMany(p => p.Value.Operations ?? []).Select(o => o.Value).ToList();
        var taken = operations.GroupBy(o => o.OperationId ?? "").Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var alternativesOf = operations.ToDictionary<OpenApiOperation, OpenApiOperation, List<string>>(o => o, AlternativesOf, ReferenceEqualityComparer.Instance);
        foreach (var operation in operations)
        {
            var alternatives = alternativesOf[operation];
            operation.Extensions?.Remove(OperationNamingTransformer.AlternativeIdsExtension);
            if (operation.OperationId is { } id && taken.Contains(id)) continue;
            if (alternatives.FirstOrDefault(a => !taken.Contains(a) && alternativesOf.Values.Count(other => other.Contains(a)) == 1) is { } unique)
            {
                operation.OperationId = unique;
                taken.Add(unique);
            }
            else if (alternatives.LastOrDefault() is { } route)
            {
                operation.OperationId = route;
                taken.Add(route);
            }
        }
    }

    private static List<string> AlternativesOf(OpenApiOperation operation) =>
        operation.Extensions?.TryGetValue(OperationNamingTransformer.AlternativeIdsExtension, out var extension) == true
        && extension is JsonNodeExtension { Node: System.Text.Json.Nodes.JsonArray ids }
            ? ids.Select(id => id!.GetValue<string>()).ToList()
            : [];

    /// <summary>
    /// The web serializer also reads numbers written as strings, which the generator publishes as
    /// <c>["integer", "string"]</c> with a digits pattern. The service always writes numbers, and a client that sends them
    /// is always understood, so the contract says number: generated clients get numeric fields, not a union.
    /// </summary>
    private static void NumbersAreNumbers(OpenApiSchema schema)
    {
        if (schema.Type is not { } type || !type.HasFlag(JsonSchemaType.String)) return;
        if (!type.HasFlag(JsonSchemaType.Integer) && !type.HasFlag(JsonSchemaType.Number)) return;
        schema.Type = type & ~JsonSchemaType.String;
        schema.Pattern = null;
    }

    private static void RequireOnlyWhatMustBeSent(OpenApiSchema schema)
    {
        if (schema.Required is not { Count: > 0 } required || schema.Properties is not { } properties) return;
        foreach (var (name, property) in properties)
        {
            if (Schemas.MayBeNull(property) || property.Default is not null) required.Remove(name);
        }
    }
}
