namespace Platform.ServiceDefaults.OpenApi;

/// <summary>A request header the operation reads; the contract declares it as a header parameter.</summary>
public sealed record DeclaredHeaderMetadata(string Name, string Description, bool Required, int? MaxLength)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static readonly DeclaredHeaderMetadata IdempotencyKey = new(IdempotencyKeyHeader,
        "A unique value per intended operation (at most 255 characters). A retry with the same key and the same request answers the first answer again; " +
        "the same key with a different request is refused (422), and while the first is still being worked on a retry is refused (409).",
        Required: true, MaxLength: 255);
}

/// <summary>The operation id the contract gives the endpoint, whatever its endpoint name.</summary>
public sealed record OperationIdMetadata(string OperationId);

/// <summary>The operation can answer any 5xx status; the contract declares the range.</summary>
public sealed record ServerErrorsMetadata;
