using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Takes SSN- and card-number-shaped digit runs out of the URLs a span records (<c>url.path</c>, <c>url.query</c>,
/// <c>url.full</c>, its name). No endpoint puts such a number in a URL, but a caller can: a mistyped path or an old
/// client is still recorded by the server span before any endpoint runs, and the telemetry backend must never hold it.
/// </summary>
internal sealed partial class SensitiveUrlRedactor : BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.path", "url.query", "url.full", "http.target", "http.url"];

    public override void OnEnd(Activity activity)
    {
        foreach (var tag in UrlTags)
        {
            if (activity.GetTagItem(tag) is string value && Redact(value) is { } redacted && !ReferenceEquals(redacted, value))
                activity.SetTag(tag, redacted);
        }
        if (Redact(activity.DisplayName) is { } name && !ReferenceEquals(name, activity.DisplayName)) activity.DisplayName = name;
    }

    /// <summary>The same text, or a copy with every SSN-like (9 digits, dashed or not) or card-like (12–19 digits) run replaced.</summary>
    public static string Redact(string value) =>
        value.Any(char.IsAsciiDigit) && SensitiveDigits().IsMatch(value) ? SensitiveDigits().Replace(value, "{redacted}") : value;

    [GeneratedRegex(@"(?<![0-9A-Za-z])(?:\d{3}-\d{2}-\d{4}|\d{9}|\d{12,19})(?![0-9A-Za-z])")]
    private static partial Regex SensitiveDigits();
}
