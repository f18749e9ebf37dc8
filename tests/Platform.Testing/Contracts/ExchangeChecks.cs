using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Platform.Testing.Contracts;

/// <summary>The rules a request and its response must keep, given the operation the document has for them.</summary>
public static class ExchangeChecks
{
    public static IReadOnlyList<ContractViolation> Request(ServiceContract contract, HttpMethod method, Uri uri, HttpRequestHeaders headers,
        MediaTypeHeaderValue? contentType, byte[]? body, out OperationMatch? match)
    {
        var label = $"{method.Method} {uri.AbsolutePath}";
        match = contract.Find(method, uri.AbsolutePath);
        if (match is null)
        {
            var methods = contract.MethodsFor(uri.AbsolutePath);
            return [new ContractViolation(label, "request", "operation", methods.Count == 0
                ? "the document has no path that matches"
                : $"the document has no {method.Method} for this path (only {string.Join(", ", methods)})")];
        }
        var violations = new List<ContractViolation>();
        var query = QueryHelpers.ParseQuery(uri.Query);
        foreach (var parameter in match.Parameters)
        {
            var (present, values) = parameter.In switch
            {
                ParameterLocation.Path => match.PathValues.TryGetValue(parameter.Name!, out var v) ? (true, new[] { v }) : (false, []),
                ParameterLocation.Query => query.TryGetValue(parameter.Name!, out var q) ? (true, q.Select(x => x ?? "").ToArray()) : (false, []),
                ParameterLocation.Header => headers.TryGetValues(parameter.Name!, out var h) ? (true, h.ToArray()) : (false, []),
                _ => (false, Array.Empty<string>()),
            };
            var where = $"{parameter.In?.ToString().ToLowerInvariant()} {parameter.Name}";
            if (!present)
            {
                if (parameter.Required) violations.Add(new ContractViolation(match.Name, where, "required", "required by the document but not sent"));
                continue;
            }
            if (parameter.Schema is { } schema) violations.AddRange(ParameterValue(contract, schema, values, match.Name, where));
        }

        var requestBody = match.Operation.RequestBody;
        var hasBody = body is { Length: > 0 };
        if (!hasBody)
        {
            if (requestBody?.Required == true) violations.Add(new ContractViolation(match.Name, "request body", "required", "the document requires a body; none was sent"));
            return violations;
        }
        if (requestBody?.Content is not { Count: > 0 } content)
        {
            violations.Add(new ContractViolation(match.Name, "request body", "content", "a body was sent but the operation declares none"));
            return violations;
        }
        violations.AddRange(Body(contract, content, contentType, body!, match.Name, "request body"));
        return violations;
    }

    public static IReadOnlyList<ContractViolation> Response(ServiceContract contract, OperationMatch match, int status, MediaTypeHeaderValue? contentType, byte[] body)
    {
        var where = $"response {status}";
        var responses = match.Operation.Responses ?? [];
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!responses.TryGetValue(code, out var response) && !responses.TryGetValue(code[0] + "XX", out response) && !responses.TryGetValue("default", out response))
        {
            return [new ContractViolation(match.Name, where, "status", $"status {status} is not declared (declared: {string.Join(", ", responses.Keys)})" + Excerpt(body))];
        }
        var content = response.Content;
        if (body.Length == 0)
        {
            return content is { Count: > 0 } && status != 204 && status != 304
                ? [new ContractViolation(match.Name, where, "content", $"no body; the document declares {string.Join(", ", content.Keys)}")]
                : [];
        }
        if (content is not { Count: > 0 })
        {
            return [new ContractViolation(match.Name, where, "content", $"a {contentType?.MediaType ?? "body"} body, but the document declares none" + Excerpt(body))];
        }
        return [.. Body(contract, content, contentType, body, match.Name, where + " body")];
    }

    private static IEnumerable<ContractViolation> Body(ServiceContract contract, IDictionary<string, OpenApiMediaType> content, MediaTypeHeaderValue? contentType,
        byte[] body, string operation, string where)
    {
        var mediaType = contentType?.MediaType ?? "";
        var declared = content.FirstOrDefault(c => MediaTypeMatches(c.Key, mediaType));
        if (declared.Key is null)
        {
            yield return new ContractViolation(operation, where, "content-type", $"{(mediaType.Length == 0 ? "no Content-Type" : mediaType)} is not declared (declared: {string.Join(", ", content.Keys)})");
            yield break;
        }
        if (!IsJson(mediaType) || declared.Value.Schema is not { } schema) yield break;
        JsonDocument? document = null;
        string? malformed = null;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            malformed = ex.Message;
        }
        if (document is null)
        {
            yield return new ContractViolation(operation, where, "json", "not valid JSON: " + malformed);
            yield break;
        }
        using (document)
        {
            foreach (var violation in contract.Validate(schema, document.RootElement, operation, where)) yield return violation;
        }
    }

    /// <summary>Path, query and header values are text; each is tried as the JSON value it would denote (number, boolean, else string).</summary>
    private static IEnumerable<ContractViolation> ParameterValue(ServiceContract contract, IOpenApiSchema schema, string[] values, string operation, string where)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.Array))
        {
            var array = "[" + string.Join(",", values.Select(ValueAsJson)) + "]";
            using var document = JsonDocument.Parse(array);
            return contract.Validate(schema, document.RootElement, operation, where).ToList();
        }
        var failures = new List<ContractViolation>();
        foreach (var value in values)
        {
            var candidates = new List<string> { JsonSerializer.Serialize(value) };
            if (ValueAsJson(value) is var typed && typed != candidates[0]) candidates.Insert(0, typed);
            List<ContractViolation>? best = null;
            foreach (var candidate in candidates)
            {
                using var document = JsonDocument.Parse(candidate);
                var found = contract.Validate(schema, document.RootElement, operation, where).ToList();
                if (found.Count == 0) { best = found; break; }
                best ??= found;
            }
            failures.AddRange(best!);
        }
        return failures;
    }

    private static string ValueAsJson(string value) =>
        value is "true" or "false" || (value.Length > 0 && decimal.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
            && value.Trim() == value && !value.StartsWith('+') && !(value.Length > 1 && value[0] == '0' && char.IsDigit(value[1])))
            ? value
            : JsonSerializer.Serialize(value);

    private static bool MediaTypeMatches(string declared, string actual) =>
        string.Equals(declared, actual, StringComparison.OrdinalIgnoreCase)
        || declared == "*/*"
        || (declared.EndsWith("/*", StringComparison.Ordinal) && actual.StartsWith(declared[..^1], StringComparison.OrdinalIgnoreCase));

    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static string Excerpt(byte[] body) =>
        body.Length == 0 ? "" : " — body: " + System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));
}
