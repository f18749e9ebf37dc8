using Platform.ServiceDefaults.OpenApi;

using Microsoft.AspNetCore.OpenApi;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The OpenAPI document every Platform service publishes at <c>/openapi/v1.json</c>. It is the contract client
/// developers generate code from, so it is derived from what the endpoints really do (their metadata: authorization,
/// parameters, rate limiting, declared results) once, here, rather than annotated endpoint by endpoint.
/// </summary>
/// <remarks>
/// A service calls <c>AddOpenApi(options => options.AddPlatformContract())</c> itself: the OpenAPI source generator turns
/// the service's XML comments into summaries and field descriptions by intercepting that call in the service's own code.
/// </remarks>
public static class PlatformOpenApiExtensions
{
    public const string DocumentName = "v1";

    public static OpenApiOptions AddPlatformContract(this OpenApiOptions options)
    {
        options.AddOperationTransformer<OperationNamingTransformer>();
        options.AddOperationTransformer<DeclaredHeadersTransformer>();
        options.AddOperationTransformer<SecurityTransformer>();
        options.AddOperationTransformer<ProblemResponsesTransformer>();
        options.AddOperationTransformer<RequestExampleTransformer>();
        options.AddDocumentTransformer<ContractDocumentTransformer>();
        return options;
    }
}
