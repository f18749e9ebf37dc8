using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>Walking every schema of a document, components and inline ones alike.</summary>
internal static class Schemas
{
    public static bool MayBeNull(IOpenApiSchema schema) =>
        schema is OpenApiSchema own
            ? own.Type is { } type && type.HasFlag(JsonSchemaType.Null)
              || (own.OneOf ?? []).Concat(own.AnyOf ?? []).Any(MayBeNull)
            : false;

    public static IEnumerable<OpenApiSchema> All(OpenApiDocument document)
    {
        var seen = new HashSet<OpenApiSchema>(ReferenceEqualityComparer.Instance);
        var roots = new List<IOpenApiSchema>();
        roots.AddRange(document.Components?.Schemas?.Values ?? []);
        foreach (var operation in (document.Paths ?? []).SelectMany(p => p.Value.Operations ?? []).Select(o => o.Value))
        {
            roots.AddRange((operation.Parameters ?? []).Select(p => p.Schema).OfType<IOpenApiSchema>());
            roots.AddRange((operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>()).Values.Select(m => m.Schema).OfType<IOpenApiSchema>());
            foreach (var response in (operation.Responses ?? []).Values)
            {
                roots.AddRange((response.Content ?? new Dictionary<string, OpenApiMediaType>()).Values.Select(m => m.Schema).OfType<IOpenApiSchema>());
            }
        }
        var pending = new Stack<IOpenApiSchema>(roots);
        while (pending.TryPop(out var next))
        {
            if (next is not OpenApiSchema schema || !seen.Add(schema)) continue;
            yield return schema;
            foreach (var child in Children(schema)) pending.Push(child);
        }
    }

    private static IEnumerable<IOpenApiSchema> Children(OpenApiSchema schema)
    {
        foreach (var property in schema.Properties?.Values ?? []) yield return property;
        if (schema.Items is { } items) yield return items;
        if (schema.AdditionalProperties is { } additional) yield return additional;
        foreach (var part in (schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? [])) yield return part;
    }
}
