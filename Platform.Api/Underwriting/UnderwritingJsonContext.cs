using System.Text.Json.Serialization;
using Platform.Api.Integrations.Bureau;

namespace Platform.Api.Underwriting;

/// <summary>The shapes underwriting stores as jsonb (reasons, score disclosure, inputs, report parts, offers).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<DecisionReason>))]
[JsonSerializable(typeof(ScoreDisclosure))]
[JsonSerializable(typeof(DecisionInputs))]
[JsonSerializable(typeof(List<BureauScoreFactor>))]
[JsonSerializable(typeof(BureauFlags))]
[JsonSerializable(typeof(BureauTradelines))]
[JsonSerializable(typeof(OfferRange))]
internal sealed partial class UnderwritingJsonContext : JsonSerializerContext;
