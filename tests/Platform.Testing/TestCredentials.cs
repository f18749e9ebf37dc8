namespace Platform.Testing;

/// <summary>
/// The service-to-service keys test hosts are configured with (the AppHost generates real ones per machine). One value
/// per counterpart, the same on the calling and the called side.
/// </summary>
public static class TestCredentials
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ProcessorApiKey = "test-processor-api-key-0123456789";
    public const string BureauApiKey = "test-bureau-api-key-0123456789";
    public const string FraudApiKey = "test-fraud-api-key-0123456789";
}
