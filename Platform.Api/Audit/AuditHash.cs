using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Api.Audit;

/// <summary>
/// The audit spine's hash functions, SHA-256 over length-prefixed encodings (length prefixes keep field boundaries
/// unambiguous: "ab"+"c" never hashes like "a"+"bc"). An event's own hash covers its content; version 1 (events written
/// before blocks) also covered its sequence and the previous event's hash. Blocks chain by hash and commit to their
/// events through a Merkle tree built as RFC 6962 builds Certificate Transparency's.
/// </summary>
internal static class AuditHash
{
    public static readonly byte[] Genesis = new byte[SHA256.HashSizeInBytes];

    /// <summary>An event's own hash (version 2): everything stored about it but its place, which its block fixes.</summary>
    public static byte[] ComputeContent(
        Guid eventId, DateTime occurredAtUtc, string actorType, string actorId, string eventType,
        string outcome, string? originIp, string? originService, string? resourceType, string? resourceId, string details)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Append(buffer, "v2");
        AppendContent(buffer, eventId, occurredAtUtc, actorType, actorId, eventType, outcome, originIp, originService, resourceType, resourceId, details);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>A Merkle leaf: an event's hash bound to its sequence, so a renumbered event changes its block's root.</summary>
    public static byte[] Leaf(long sequence, byte[] eventHash)
    {
        Span<byte> input = stackalloc byte[1 + sizeof(long) + SHA256.HashSizeInBytes];
        input[0] = 0x00;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(input[1..], sequence);
        eventHash.CopyTo(input[(1 + sizeof(long))..]);
        return SHA256.HashData(input);
    }

    /// <summary>RFC 6962's Merkle tree hash: the left subtree holds the largest power of two below the count.</summary>
    public static byte[] MerkleRoot(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0) throw new ArgumentException("A block holds at least one event.", nameof(leaves));
        return Node(leaves, 0, leaves.Count);

        static byte[] Node(IReadOnlyList<byte[]> leaves, int start, int count)
        {
            if (count == 1) return leaves[start];
            var split = 1;
            while (split * 2 < count) split *= 2;
            Span<byte> input = stackalloc byte[1 + 2 * SHA256.HashSizeInBytes];
            input[0] = 0x01;
            Node(leaves, start, split).CopyTo(input[1..]);
            Node(leaves, start + split, count - split).CopyTo(input[(1 + SHA256.HashSizeInBytes)..]);
            return SHA256.HashData(input);
        }
    }

    /// <summary>A block's hash: the block before it, what it covers and the root of what it holds.</summary>
    public static byte[] Block(long blockNumber, string firstTxid, long firstSequence, string lastTxid, long lastSequence, int eventCount,
        byte[] merkleRoot, byte[] previousHash, DateTime sealedAtUtc)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Append(buffer, "block");
        Append(buffer, blockNumber.ToString(CultureInfo.InvariantCulture));
        Append(buffer, firstTxid);
        Append(buffer, firstSequence.ToString(CultureInfo.InvariantCulture));
        Append(buffer, lastTxid);
        Append(buffer, lastSequence.ToString(CultureInfo.InvariantCulture));
        Append(buffer, eventCount.ToString(CultureInfo.InvariantCulture));
        Append(buffer, sealedAtUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        buffer.Write(merkleRoot);
        buffer.Write(previousHash);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>Version 1: an event chained to the one before it (events written before blocks existed).</summary>
    public static byte[] Compute(
        long sequence, Guid eventId, DateTime occurredAtUtc, string actorType, string actorId, string eventType,
        string outcome, string? originIp, string? originService, string? resourceType, string? resourceId,
        string details, byte[] previousHash)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Append(buffer, sequence.ToString(CultureInfo.InvariantCulture));
        AppendContent(buffer, eventId, occurredAtUtc, actorType, actorId, eventType, outcome, originIp, originService, resourceType, resourceId, details);
        buffer.Write(previousHash);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    private static void AppendContent(ArrayBufferWriter<byte> buffer, Guid eventId, DateTime occurredAtUtc, string actorType, string actorId, string eventType,
        string outcome, string? originIp, string? originService, string? resourceType, string? resourceId, string details)
    {
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
