using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Api.Audit;

/// <summary>
/// The chain's hash function: SHA-256 over a length-prefixed encoding of every stored field and the previous hash.
/// Length prefixes keep field boundaries unambiguous ("ab"+"c" never hashes like "a"+"bc").
/// </summary>
internal static class AuditHash
{
    public static readonly byte[] Genesis = new byte[SHA256.HashSizeInBytes];

    public static byte[] Compute(
        long sequence, Guid eventId, DateTime occurredAtUtc, string actorType, string actorId, string eventType,
        string outcome, string? originIp, string? originService, string? resourceType, string? resourceId,
        string details, byte[] previousHash)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Append(buffer, sequence.ToString(CultureInfo.InvariantCulture));
        Append(buffer, eventId.ToString("D"));
        // Postgres keeps microseconds: the timestamp is hashed at exactly the precision it is stored with.
        Append(buffer, occurredAtUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        Append(buffer, actorType);
        Append(buffer, actorId);
        Append(buffer, eventType);
        Append(buffer, outcome);
        Append(buffer, originIp);
        Append(buffer, originService);
        Append(buffer, resourceType);
        Append(buffer, resourceId);
        Append(buffer, details);
        buffer.Write(previousHash);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    private static void Append(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer.Write<byte>([0xFF, 0xFF, 0xFF, 0xFF]);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
