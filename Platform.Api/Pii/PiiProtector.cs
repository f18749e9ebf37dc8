using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Platform.Api.Pii;

/// <summary>A value sealed with AES-256-GCM: the key id travels with it so that keys can rotate.</summary>
public sealed record SealedValue(string KeyId, byte[] Payload);

/// <summary>
/// Seals and opens PII fields with AES-256-GCM. The payload is nonce ‖ tag ‖ ciphertext; the associated data binds
/// it to its row and field, so a ciphertext copied onto another application (or into the DOB column) does not open.
/// </summary>
public sealed class PiiProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] EncryptionInfo = "platform-pii-aes-256-gcm-v1"u8.ToArray();
    private static readonly byte[] DigestInfo = "platform-ssn-digest-v1"u8.ToArray();

    private readonly Dictionary<string, byte[]> keys;
    private readonly string activeKeyId;
    private readonly byte[] digestKey;

    public PiiProtector(IOptions<PiiProtectionOptions> options, ILogger<PiiProtector> logger)
    {
        var o = options.Value;
        if (!o.HasConfiguredKeys && o.UseEphemeralKeysWhenUnconfigured)
        {
            activeKeyId = "ephemeral-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            keys = new() { [activeKeyId] = RandomNumberGenerator.GetBytes(32) };
            digestKey = RandomNumberGenerator.GetBytes(32);
            PiiLog.EphemeralKeys(logger);
            return;
        }
        activeKeyId = o.ActiveKeyId!;
        keys = o.EncryptionKeys.ToDictionary(k => k.Key, k => Derive(k.Value, EncryptionInfo));
        digestKey = Derive(o.SsnDigestKey!, DigestInfo);
    }

    public string ActiveKeyId => activeKeyId;

    public SealedValue Seal(string plaintext, Guid rowId, string field)
    {
        var key = keys[activeKeyId];
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var payload = new byte[NonceSize + TagSize + plain.Length];
        var nonce = payload.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, payload.AsSpan(NonceSize + TagSize), payload.AsSpan(NonceSize, TagSize), AssociatedData(rowId, field));
        return new SealedValue(activeKeyId, payload);
    }

    /// <exception cref="CryptographicException">The key is unknown (retired too early) or the payload was tampered with.</exception>
    public string Open(SealedValue sealedValue, Guid rowId, string field)
    {
        if (!keys.TryGetValue(sealedValue.KeyId, out var key))
            throw new CryptographicException($"PII key '{sealedValue.KeyId}' is not configured.");
        var payload = sealedValue.Payload;
        if (payload.Length < NonceSize + TagSize) throw new CryptographicException("Sealed PII payload is too short.");
        var plain = new byte[payload.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(payload.AsSpan(0, NonceSize), payload.AsSpan(NonceSize + TagSize), payload.AsSpan(NonceSize, TagSize), plain, AssociatedData(rowId, field));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>A keyed digest of a normalized SSN: finds a returning applicant without storing or querying the SSN.</summary>
    public byte[] SsnDigest(string normalizedSsn) => HMACSHA256.HashData(digestKey, Encoding.ASCII.GetBytes(normalizedSsn));

    private static byte[] AssociatedData(Guid rowId, string field) => Encoding.UTF8.GetBytes($"{rowId:N}/{field}");

    private static byte[] Derive(string secret, byte[] info) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: null, info: info);
}

internal static partial class PiiLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "No PII keys configured: using ephemeral development keys; sealed data will not open after a restart")]
    public static partial void EphemeralKeys(ILogger logger);
}
