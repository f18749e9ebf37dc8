using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Api.Pii;

namespace Platform.Api.Tests.Underwriting;

public sealed class PiiProtectorTests
{
    private const string OldKey = "old-key-0123456789-0123456789-0123456789";
    private const string NewKey = "new-key-9876543210-9876543210-9876543210";
    private const string DigestKey = "digest-key-0123456789-0123456789-012345";

    private static PiiProtector Protector(string activeKeyId, Dictionary<string, string> keys, string digestKey = DigestKey) =>
        new(Options.Create(new PiiProtectionOptions { ActiveKeyId = activeKeyId, EncryptionKeys = keys, SsnDigestKey = digestKey }),
            NullLogger<PiiProtector>.Instance);

    [Fact]
    public void A_sealed_ssn_does_not_contain_the_plaintext_and_opens_back()
    {
        var protector = Protector("k1", new() { ["k1"] = OldKey });
        var row = Guid.NewGuid();

        var sealedSsn = protector.Seal("123456789", row, "ssn");

        Assert.Equal("k1", sealedSsn.KeyId);
        Assert.DoesNotContain("123456789", Encoding.ASCII.GetString(sealedSsn.Payload));
        Assert.Equal("123456789", protector.Open(sealedSsn, row, "ssn"));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_row_or_field_does_not_open()
    {
        var protector = Protector("k1", new() { ["k1"] = OldKey });
        var row = Guid.NewGuid();
        var sealedSsn = protector.Seal("123456789", row, "ssn");

        Assert.ThrowsAny<CryptographicException>(() => protector.Open(sealedSsn, Guid.NewGuid(), "ssn"));
        Assert.ThrowsAny<CryptographicException>(() => protector.Open(sealedSsn, row, "date_of_birth"));
    }

    [Fact]
    public void After_rotation_new_values_use_the_new_key_and_old_values_still_open()
    {
        var row = Guid.NewGuid();
        var sealedBefore = Protector("k1", new() { ["k1"] = OldKey }).Seal("1980-01-02", row, "date_of_birth");

        var rotated = Protector("k2", new() { ["k1"] = OldKey, ["k2"] = NewKey });

        Assert.Equal("1980-01-02", rotated.Open(sealedBefore, row, "date_of_birth"));
        Assert.Equal("k2", rotated.Seal("1980-01-02", row, "date_of_birth").KeyId);
    }

    [Fact]
    public void A_value_sealed_with_a_key_no_longer_configured_does_not_open()
    {
        var row = Guid.NewGuid();
        var sealedBefore = Protector("k1", new() { ["k1"] = OldKey }).Seal("123456789", row, "ssn");

        Assert.ThrowsAny<CryptographicException>(() => Protector("k2", new() { ["k2"] = NewKey }).Open(sealedBefore, row, "ssn"));
    }

    [Fact]
    public void The_ssn_digest_is_stable_for_a_key_and_differs_between_keys()
    {
        var a = Protector("k1", new() { ["k1"] = OldKey });
        var b = Protector("k1", new() { ["k1"] = OldKey }, digestKey: "another-digest-key-0123456789-0123456789");

        Assert.Equal(a.SsnDigest("123456789"), a.SsnDigest("123456789"));
        Assert.NotEqual(a.SsnDigest("123456789"), b.SsnDigest("123456789"));
        Assert.NotEqual(a.SsnDigest("123456789"), a.SsnDigest("123456788"));
    }

    [Fact]
    public void Options_without_an_active_key_or_digest_key_name_the_missing_settings()
    {
        var problems = new PiiProtectionOptions { EncryptionKeys = new() { ["k1"] = "short" } }.Problems().ToList();

        Assert.Contains(problems, p => p.Contains("Pii:ActiveKeyId"));
        Assert.Contains(problems, p => p.Contains("Pii:EncryptionKeys:k1"));
        Assert.Contains(problems, p => p.Contains("Pii:SsnDigestKey"));
    }
}
