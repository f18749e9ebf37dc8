using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.ServiceDefaults.OpenApi;

/// <summary>
/// Headers an operation reads are declared as header parameters: those it reads by hand (<see cref="DeclaredHeaderMetadata"/>)
/// are added, and a bound <c>Idempotency-Key</c> is marked required with its rules, since the handler refuses a request without one.
/// </summary>
internal sealed class DeclaredHeadersTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var declared = EndpointFacts.Metadata(context.Description).OfType<DeclaredHeaderMetadata>().ToList();
        var bound = operation.Parameters?.OfType<OpenApiParameter>()
            .FirstOrDefault(p => p.In == ParameterLocation.Header && string.Equals(p.Name, DeclaredHeaderMetadata.IdempotencyKeyHeader, StringComparison.OrdinalIgnoreCase));
        if (bound is not null && !declared.Any(h => h.Name == DeclaredHeaderMetadata.IdempotencyKeyHeader))
        {
            declared.Add(DeclaredHeaderMetadata.IdempotencyKey);
        }
        foreach (var header in declared)
        {
            operation.Parameters ??= [];
            var existing = operation.Parameters.OfType<OpenApiParameter>()
                .FirstOrDefault(p => p.In == ParameterLocation.Header && string.Equals(p.Name, header.Name, StringComparison.OrdinalIgnoreCase));
            if (existing is not null) operation.Parameters.Remove(existing);
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Required = header.Required,
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = header.Required ? 1 : null, MaxLength = header.MaxLength },
            });
        }
        return Task.CompletedTask;
    }
}
