namespace Platform.Fraud.Features;

/// <summary>Why a score is what it is: a stable code for machines and a sentence for people.</summary>
public sealed record Reason(string Code, string Description);
