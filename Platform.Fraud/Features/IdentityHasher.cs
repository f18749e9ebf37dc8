using System.Security.Cryptography;
using System.Text;

namespace Platform.Fraud.Features;

/// <summary>
/// Keyed hashes (HMAC-SHA256, 128 bits kept) of identifiers before they become Redis keys or members: Redis never
/// holds an SSN, e-mail address, phone number, card or device id in the clear, and without the key the hashes
/// cannot be reversed by trying every SSN.
/// </summary>
internal sealed class IdentityHasher
{
    private readonly byte[] key;

    public IdentityHasher(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        this.key = Encoding.UTF8.GetBytes(key);
    }

    public string Hash(string purpose, string value)
    {
        var byteCount = Encoding.UTF8.GetMaxByteCount(purpose.Length + value.Length + 1);
        Span<byte> input = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        // The purpose prefix keeps equal strings of different kinds (a device id that looks like a card id) apart.
        var written = Encoding.UTF8.GetBytes(purpose, input);
        input[written++] = (byte)':';
        written += Encoding.UTF8.GetBytes(value, input[written..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, input[..written], mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
