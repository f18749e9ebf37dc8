using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>
/// Every JSON request body carries an example, serialized the way the service reads bodies: the type's own
/// <see cref="IOpenApiExample{TSelf}.Example"/>, or one registered in <see cref="PlatformOpenApiOptions.RequestExamples"/>.
/// </summary>
internal sealed class RequestExampleTransformer(IOptions<PlatformOpenApiOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody?.Content is not { } content || EndpointFacts.RequestBodyType(context.Description) is not { } type) return Task.CompletedTask;
        if (ExampleOf(type) is not { } example) return Task.CompletedTask;
        var node = WithoutNulls(JsonSerializer.SerializeToNode(example, type, json.Value.SerializerOptions));
        foreach (var (mediaType, body) in content)
        {
            if (mediaType.Contains("json", StringComparison.OrdinalIgnoreCase) && body is OpenApiMediaType media)
            {
                media.Example = node?.DeepClone();
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>An example shows what to send; a field left out reads better than a field sent as null.</summary>
    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (var name in obj.Where(p => p.Value is null).Select(p => p.Key).ToList()) obj.Remove(name);
            foreach (var (_, value) in obj) WithoutNulls(value);
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array) WithoutNulls(item);
        }
        return node;
    }

    private object? ExampleOf(Type type)
    {
        if (options.Value.RequestExamples.TryGetValue(type, out var registered)) return registered;
        var contract = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IOpenApiExample<>));
        if (contract is null) return null;
        var map = type.GetInterfaceMap(contract);
        var getter = map.TargetMethods.FirstOrDefault(m => m.Name.EndsWith("get_Example", StringComparison.Ordinal));
        return getter?.Invoke(null, BindingFlags.DoNotWrapExceptions, null, null, null);
    }
}
