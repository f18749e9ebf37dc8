using Platform.ServiceDefaults.OpenApi;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Contract facts an endpoint's signature cannot show: headers it reads by hand.</summary>
public static class ContractEndpointConventions
{
    /// <summary>The endpoint reads this request header itself (not through a bound parameter).</summary>
    public static TBuilder DeclaresHeader<TBuilder>(this TBuilder builder, string name, string description, bool required = false, int? maxLength = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DeclaredHeaderMetadata(name, description, required, maxLength));

    /// <summary>The endpoint demands an <c>Idempotency-Key</c> header, read by hand or bound.</summary>
    public static TBuilder RequiresIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(DeclaredHeaderMetadata.IdempotencyKey);
}
