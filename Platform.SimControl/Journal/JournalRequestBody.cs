using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.SimControl.Bureau;

namespace Platform.SimControl.Journal;

/// <summary>
/// What the journal shows of a request body: SSNs (and card numbers) masked to the last four, dates of birth, CVVs and
/// passwords replaced, wherever they appear. When masking changed something, the original is returned too, for the
/// caller to seal: a replay must send what was sent, but nobody reads it in the journal.
/// </summary>
internal static class JournalRequestBody
{
    public static (JsonElement? Shown, byte[]? Original) Prepare(object? request)
    {
        var bytes = request switch
        {
            byte[] raw => raw,
            CreditReportRequest report => JsonSerializer.SerializeToUtf8Bytes(report, BureauJsonContext.Default.CreditReportRequest),
            _ => null,
        };
        if (bytes is null || bytes.Length == 0) return (null, null);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes);
        }
        catch (JsonException)
        {
            return (null, null);
        }
        if (node is null) return (null, null);
        var changed = Mask(node);
        using var shown = JsonDocument.Parse(node.ToJsonString());
        return (shown.RootElement.Clone(), changed ? bytes : null);
    }

    /// <summary>Masks in place; true when anything was masked.</summary>
    internal static bool Mask(JsonNode node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null) continue;
                    var replacement = MaskedValue(name, value);
                    if (replacement is not null)
                    {
                        obj[name] = replacement;
                        changed = true;
                    }
                    else
                    {
                        changed |= Mask(value);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null) changed |= Mask(item);
                }
                break;
        }
        return changed;
    }

    private static string? MaskedValue(string name, JsonNode value)
    {
        if (value is not JsonValue) return null;
        var text = value.ToString();
        return name.ToLowerInvariant() switch
        {
            "ssn" => "***-**-" + LastFourDigits(text),
            "pan" or "cardnumber" => "**** " + LastFourDigits(text),
            "dateofbirth" or "dob" => "****-**-**",
            "cvv" or "cvc" or "password" => "***",
            _ => null,
        };
    }

    private static string LastFourDigits(string text)
    {
        var digits = new string([.. text.Where(char.IsAsciiDigit)]);
        return digits.Length >= 4 ? digits[^4..] : new string('*', 4);
    }
}
