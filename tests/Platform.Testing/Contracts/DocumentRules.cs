using System.Text.Json;
using Microsoft.OpenApi;

namespace Platform.Testing.Contracts;

/// <summary>
/// What every Platform document must say for client developers, checked on the served document: an id and a summary
/// per operation (ids unique), problem details for every refusal, the sign-in refusal wherever a token is demanded,
/// and for every JSON request body an example that itself keeps the body's schema.
/// </summary>
public static class DocumentRules
{
    public static IReadOnlyList<string> Check(ServiceContract contract)
    {
        var problems = new List<string>(contract.ReadErrors.Select(e => "document: " + e));
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, item) in contract.Document.Paths ?? [])
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var name = $"{method.Method} {path}";
                if (string.IsNullOrWhiteSpace(operation.OperationId)) problems.Add($"{name}: no operationId");
                else if (!ids.TryAdd(operation.OperationId, name)) problems.Add($"{name}: operationId {operation.OperationId} is also {ids[operation.OperationId]}'s");
                if (string.IsNullOrWhiteSpace(operation.Summary)) problems.Add($"{name}: no summary");
                var responses = operation.Responses ?? [];
                if (!responses.Keys.Any(k => k.StartsWith('2') || k.StartsWith('3'))) problems.Add($"{name}: no success response");
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                {
                    if (response.Content?.ContainsKey("application/problem+json") != true || response.Content.Count != 1)
                        problems.Add($"{name}: {status} is not answered as application/problem+json");
                }
                if (operation.Security is { Count: > 0 } && !responses.ContainsKey("401")) problems.Add($"{name}: demands a token but declares no 401");
                // An optional header the operation merely notes (who is acting) cannot be malformed; anything else can.
                if (operation.Parameters?.Any(p => p.In != ParameterLocation.Header || p.Required) == true || operation.RequestBody is not null)
                {
                    if (!responses.ContainsKey("400")) problems.Add($"{name}: takes input but declares no 400");
                }
                foreach (var (mediaType, body) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
                {
                    if (!mediaType.Contains("json", StringComparison.OrdinalIgnoreCase) || body.Schema is null) continue;
                    if (body.Example is null)
                    {
                        problems.Add($"{name}: the {mediaType} request body has no example");
                        continue;
                    }
                    using var example = JsonDocument.Parse(body.Example.ToJsonString());
                    problems.AddRange(contract.Validate(body.Schema, example.RootElement, name, "request example").Select(v => v.ToString()));
                }
            }
        }
        return problems;
    }
}
