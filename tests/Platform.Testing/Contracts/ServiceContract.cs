using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Platform.Testing.Contracts;

/// <summary>
/// One service's OpenAPI document, read with Microsoft.OpenApi, able to say whether a request or a response keeps it:
/// the operation exists, required parameters and headers are there and valid, bodies have a declared media type and
/// validate against their JSON Schema (2020-12, formats enforced), and the status is one the operation declares.
/// </summary>
public sealed class ServiceContract
{
    private readonly Uri documentUri = new($"https://contracts.platform.test/{Guid.NewGuid():N}/openapi.json");
    private readonly EvaluationOptions evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    // The registry the evaluations share is not made for concurrent use; tests send requests in parallel.
    private readonly Lock evaluating = new();
    private readonly ConcurrentDictionary<string, JsonSchema> schemas = new(StringComparer.Ordinal);
    private readonly List<PathTemplate> templates;

    private ServiceContract(string json, OpenApiDocument document, IReadOnlyList<string> readErrors)
    {
        Json = json;
        Document = document;
        ReadErrors = readErrors;
        evaluation.SchemaRegistry.Register(new JsonNodeBaseDocument(JsonNode.Parse(json)!, documentUri));
        templates = [.. (document.Paths ?? []).Select(p => new PathTemplate(p.Key, p.Value)).OrderByDescending(t => t.LiteralSegments)];
    }

    public string Json { get; }

    public OpenApiDocument Document { get; }

    /// <summary>What the OpenAPI reader found wrong with the document itself.</summary>
    public IReadOnlyList<string> ReadErrors { get; }

    public static ServiceContract Parse(string json)
    {
        var settings = new OpenApiReaderSettings();
        var result = OpenApiDocument.Parse(json, OpenApiConstants.Json, settings);
        var document = result.Document ?? throw new InvalidOperationException("Not an OpenAPI document: " + string.Join("; ", result.Diagnostic?.Errors ?? []));
        var errors = (result.Diagnostic?.Errors ?? []).Select(e => $"{e.Pointer}: {e.Message}").ToList();
        return new ServiceContract(json, document, errors);
    }

    public OperationMatch? Find(HttpMethod method, string path)
    {
        foreach (var template in templates)
        {
            if (template.TryMatch(path, out var values) && template.Item.Operations?.TryGetValue(method, out var operation) == true)
            {
                return new OperationMatch(template, method, operation, values);
            }
        }
        return null;
    }

    /// <summary>The methods the document has for a path, for a helpful message when the method is not one of them.</summary>
    public IReadOnlyList<string> MethodsFor(string path) =>
        templates.Where(t => t.TryMatch(path, out _)).SelectMany(t => t.Item.Operations?.Keys.AsEnumerable() ?? []).Select(m => m.Method).Distinct().ToList();

    /// <summary>Validates one JSON value against a schema of the document (inline or a reference into its components).</summary>
    public IEnumerable<ContractViolation> Validate(IOpenApiSchema schema, JsonElement instance, string operation, string location)
    {
        EvaluationResults results;
        string? unreadable = null;
        try
        {
            lock (evaluating)
            {
                results = SchemaFor(schema).Evaluate(JsonNode.Parse(instance.GetRawText()), evaluation);
            }
        }
        catch (FormatException ex)
        {
            // A number no decimal holds (1e400): no schema of ours accepts it.
            results = null!;
            unreadable = ex.Message;
        }
        if (unreadable is not null)
        {
            yield return new ContractViolation(operation, location, "type", "a value out of any number's range: " + unreadable);
            yield break;
        }
        if (results.IsValid) yield break;
        var reported = false;
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                reported = true;
                yield return new ContractViolation(operation, $"{location} {Pointer(detail.InstanceLocation.ToString())}".TrimEnd(), keyword,
                    $"{message} (schema {detail.EvaluationPath})");
            }
        }
        if (!reported) yield return new ContractViolation(operation, location, "schema", "does not validate against " + Describe(schema));
    }

    private static string Pointer(string location) => location.Length == 0 ? "" : location;

    private static string Describe(IOpenApiSchema schema) => schema is OpenApiSchemaReference reference ? "#/components/schemas/" + reference.Reference.Id : "its inline schema";

    /// <summary>
    /// A schema to evaluate, its local references made absolute so that they resolve into the registered copy of the
    /// document: components are checked as the document's own JSON writes them, inline schemas as the reader understood them.
    /// </summary>
    private JsonSchema SchemaFor(IOpenApiSchema schema)
    {
        var text = schema is OpenApiSchemaReference reference
            ? new JsonObject { ["$ref"] = "#/components/schemas/" + reference.Reference.Id }.ToJsonString()
            : SerializeInline(schema);
        return schemas.GetOrAdd(text, t =>
        {
            var absolute = JsonNode.Parse(t.Replace("\"$ref\":\"#/", $"\"$ref\":\"{documentUri}#/", StringComparison.Ordinal))!.AsObject();
            absolute["$id"] = new Uri(documentUri, $"checks/{Guid.NewGuid():N}.json").ToString();
            return JsonSchema.FromText(absolute.ToJsonString());
        });
    }

    private static string SerializeInline(IOpenApiSchema schema)
    {
        using var buffer = new StringWriter();
        var writer = new OpenApiJsonWriter(buffer, new OpenApiJsonWriterSettings { Terse = true });
        schema.SerializeAsV31(writer);
        buffer.Flush();
        return JsonNode.Parse(buffer.ToString())!.ToJsonString();
    }
}

/// <summary>An operation found for a request, with the values its path parameters took.</summary>
public sealed record OperationMatch(PathTemplate Template, HttpMethod Method, OpenApiOperation Operation, IReadOnlyDictionary<string, string> PathValues)
{
    public string Name => $"{Method.Method} {Template.Path}";

    /// <summary>The operation's parameters together with those its path item declares for every operation.</summary>
    public IEnumerable<IOpenApiParameter> Parameters =>
        (Operation.Parameters ?? []).Concat((Template.Item.Parameters ?? []).Where(p => Operation.Parameters?.Any(o => o.Name == p.Name && o.In == p.In) != true));
}

/// <summary>A path of the document (<c>/v1/cards/{cardId}</c>) matched segment by segment against request paths.</summary>
public sealed class PathTemplate(string path, IOpenApiPathItem item)
{
    private readonly string[] segments = path.Trim('/').Split('/');

    public string Path { get; } = path;

    public IOpenApiPathItem Item { get; } = item;

    public int LiteralSegments => segments.Count(s => !s.StartsWith('{'));

    public bool TryMatch(string requestPath, out IReadOnlyDictionary<string, string> values)
    {
        var parts = requestPath.Trim('/').Split('/');
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        values = found;
        if (parts.Length != segments.Length) return false;
        for (var i = 0; i < parts.Length; i++)
        {
            if (segments[i] is ['{', .. var name, '}'])
            {
                if (parts[i].Length == 0) return false;
                found[name] = Uri.UnescapeDataString(parts[i]);
            }
            else if (!string.Equals(segments[i], Uri.UnescapeDataString(parts[i]), StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
