using Platform.ServiceDefaults.OpenApi;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Contract facts an endpoint's signature cannot show: headers it reads by hand.</summary>
public static class ContractEndpointConventions
{
    /// <summary>The endpoint reads this request header itself (not through a bound parameter).</summary>
    public static TBuilder DeclaresHeader<TBuilder>(this TBuilder builder, string name, string description, bool required = false, int? maxLength = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DeclaredHeaderMetadata(name, description, required, maxLength));

    /// <summary>
    /// The operation id generated clients name their method after, for endpoints whose name is taken for another purpose
    /// (link generation) or that the framework maps (Identity's).
    /// </summary>
    public static TBuilder WithOperationId<TBuilder>(this TBuilder builder, string operationId) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OperationIdMetadata(operationId));

    /// <summary>The endpoint may answer any 5xx status as problem details (a simulator told to fail, a dependency down).</summary>
    public static TBuilder ProducesServerErrors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ServerErrorsMetadata());

    /// <summary>The endpoint demands an <c>Idempotency-Key</c> header, read by hand or bound.</summary>
    public static TBuilder RequiresIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(DeclaredHeaderMetadata.IdempotencyKey);
}
