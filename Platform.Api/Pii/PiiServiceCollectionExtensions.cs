using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Options;

namespace Platform.Api.Pii;

internal static class PiiServiceCollectionExtensions
{
    /// <summary>
    /// Field encryption and the SSN digest (keys from configuration, checked at start-up), and log redaction by data
    /// classification: any log property classified <see cref="PiiTaxonomy"/> is erased before a provider sees it.
    /// </summary>
    public static IHostApplicationBuilder AddPiiProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PiiProtectionOptions>()
            .BindConfiguration(PiiProtectionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PiiProtectionOptions>, PiiOptionsProblemsValidator>();
        builder.Services.AddSingleton<PiiProtector>();

        builder.Logging.EnableRedaction();
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<ErasingRedactor>(new DataClassificationSet(PiiTaxonomy.Sensitive), new DataClassificationSet(PiiTaxonomy.Personal));
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });
        return builder;
    }

    /// <summary>Names each wrong setting in the start-up failure, not just "invalid".</summary>
    private sealed class PiiOptionsProblemsValidator : IValidateOptions<PiiProtectionOptions>
    {
        public ValidateOptionsResult Validate(string? name, PiiProtectionOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
