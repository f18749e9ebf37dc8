using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Api.Webhooks;

/// <summary>
/// The processor's signing scheme: <c>X-Processor-Signature: v1=hex(HMAC-SHA256(secret, "{X-Processor-Timestamp}.{raw body}"))</c>.
/// The timestamp is signed too, so an old delivery cannot be replayed later with a fresh one.
/// </summary>
internal static class ProcessorWebhookSignature
{
    public const string SignatureHeader = "X-Processor-Signature";
    public const string TimestampHeader = "X-Processor-Timestamp";
    public const string WebhookIdHeader = "X-Processor-Webhook-Id";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        byte[] message = [.. prefix, .. body];
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static string? Check(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(signatureHeader)) return $"{SignatureHeader} is missing.";
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return $"{TimestampHeader} is missing or not Unix seconds.";
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds) return "The signed timestamp is outside the allowed window.";
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signatureHeader)) ? null : "The signature does not match.";
    }
}
