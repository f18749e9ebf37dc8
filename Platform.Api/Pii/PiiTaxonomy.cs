using Microsoft.Extensions.Compliance.Classification;

namespace Platform.Api.Pii;

/// <summary>
/// The platform's data classes. Log redaction is driven by these classes, so a new PII field is protected by
/// annotating it, not by remembering to edit a log line.
/// </summary>
public static class PiiTaxonomy
{
    public const string Name = "Platform.Pii";

    /// <summary>Identity secrets whose disclosure enables identity theft: SSN, date of birth. Encrypted at rest.</summary>
    public static DataClassification Sensitive { get; } = new(Name, nameof(Sensitive));

    /// <summary>Contact and identity details that identify a person: name, e-mail, phone, address.</summary>
    public static DataClassification Personal { get; } = new(Name, nameof(Personal));
}

/// <summary>SSN, date of birth: never logged, never returned unmasked except by the audited read.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
public sealed class SensitivePiiAttribute() : DataClassificationAttribute(PiiTaxonomy.Sensitive);

/// <summary>Name, e-mail, phone, address: erased from logs.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
public sealed class PersonalPiiAttribute() : DataClassificationAttribute(PiiTaxonomy.Personal);
