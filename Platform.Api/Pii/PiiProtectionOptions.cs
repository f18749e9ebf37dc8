using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Pii;

/// <summary>
/// Settings under <c>Pii</c>. Key material never lives in the repository: the AppHost generates it (user secrets) and
/// passes it as <c>Pii__EncryptionKeys__{id}</c> and <c>Pii__SsnDigestKey</c>.
/// </summary>
public sealed class PiiProtectionOptions
{
    public const string Section = "Pii";
    public const int MinimumSecretLength = 32;

    /// <summary>
    /// Key id → secret (at least 32 characters; the AES key is derived from it with HKDF). Keep retired keys here
    /// until no row uses them: each ciphertext names the key that sealed it.
    /// </summary>
    public Dictionary<string, string> EncryptionKeys { get; set; } = [];

    /// <summary>The key new ciphertexts are sealed with. Rotate by adding a key and pointing this at it.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{1,32}$")]
    public string? ActiveKeyId { get; set; }

    /// <summary>
    /// Keys the SSN digest that finds an applicant again (duplicate protection). Changing it makes earlier applicants
    /// unfindable by SSN, so it is not rotated with the encryption keys.
    /// </summary>
    public string? SsnDigestKey { get; set; }

    /// <summary>
    /// Development only: when no keys are configured, use random per-process keys (data sealed with them is unreadable
    /// after a restart). Lets a bare <c>dotnet run</c> or a test host that does not underwrite start.
    /// </summary>
    public bool UseEphemeralKeysWhenUnconfigured { get; set; }

    public bool HasConfiguredKeys => ActiveKeyId is not null || EncryptionKeys.Count > 0 || SsnDigestKey is not null;

    public IEnumerable<string> Problems()
    {
        if (!HasConfiguredKeys && UseEphemeralKeysWhenUnconfigured) yield break;
        if (string.IsNullOrEmpty(ActiveKeyId)) yield return "Pii:ActiveKeyId is required.";
        else if (!EncryptionKeys.ContainsKey(ActiveKeyId)) yield return $"Pii:EncryptionKeys:{ActiveKeyId} (the active key) is missing.";
        foreach (var (id, secret) in EncryptionKeys)
        {
            if (secret is null || secret.Length < MinimumSecretLength) yield return $"Pii:EncryptionKeys:{id} must be at least {MinimumSecretLength} characters.";
            if (id.Length is 0 or > 32) yield return $"Pii:EncryptionKeys key id '{id}' must be 1 to 32 characters.";
        }
        if (SsnDigestKey is null || SsnDigestKey.Length < MinimumSecretLength)
            yield return $"Pii:SsnDigestKey is required, at least {MinimumSecretLength} characters.";
    }
}
