using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.Extensions.Hosting;

public sealed record HealthReportResponse(string Status, IReadOnlyDictionary<string, string> Checks);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthReportResponse))]
internal sealed partial class HealthReportJsonContext : JsonSerializerContext;
