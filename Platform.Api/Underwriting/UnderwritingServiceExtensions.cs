using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Api.Pii;
using Platform.Api.Underwriting;

namespace Microsoft.Extensions.Hosting;

public static class UnderwritingServiceExtensions
{
    /// <summary>Everything underwriting needs: PII protection, the bureau client, the policy, the engine, intake and the retry worker.</summary>
    public static IHostApplicationBuilder AddUnderwriting(this IHostApplicationBuilder builder)
    {
        builder.AddPiiProtection();
        builder.AddBureauClient();

        builder.Services.AddOptions<UnderwritingOptions>()
            .BindConfiguration(UnderwritingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<DecisionPolicy>()
            .BindConfiguration(DecisionPolicy.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DecisionPolicy>, DecisionPolicyValidator>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DecisionEngine>();
        builder.Services.AddSingleton<ApplicationStore>();
        builder.Services.AddSingleton<Underwriter>();
        builder.Services.AddSingleton<ApplicationIntake>();
        builder.Services.AddSingleton<Prequalifier>();
        builder.Services.AddApplicationRetries();
        return builder;
    }

    /// <summary>Cross-field policy checks (bands, rules, reason texts), each problem named at start-up.</summary>
    private sealed class DecisionPolicyValidator : IValidateOptions<DecisionPolicy>
    {
        public ValidateOptionsResult Validate(string? name, DecisionPolicy options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
