using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Api.Authorizations;
using Platform.Api.Email;
using Platform.Api.Email.Templates;
using Platform.Api.Outbox;

// Beside the host builder's own extensions, like AddUnderwriting, so the composition root needs no using for it.
namespace Microsoft.Extensions.Hosting;

internal static class EmailServiceExtensions
{
    /// <summary>
    /// Templates, the e-mail outbox and its send handler, the console sink as the sender, the credit-decision mailer,
    /// and transaction alert rules on recorded authorizations. Needs the outbox (AddOutbox) registered too.
    /// </summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AdverseActionOptions>().BindConfiguration(AdverseActionOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.AgencyProblem() is null, "AdverseAction:ConsumerReportingAgencies: every agency needs Name, Address and a toll-free TollFreePhone (1-8xx-xxx-xxxx).")
            .Validate<Microsoft.Extensions.Options.IOptions<Platform.Api.Integrations.Bureau.BureauClientOptions>>(
                (o, bureau) => o.ConsumerReportingAgencies.ContainsKey(bureau.Value.BureauName),
                "AdverseAction:ConsumerReportingAgencies must describe the bureau named in Bureau:BureauName (an adverse-action notice names it).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<IEmailTemplate, VerificationTemplate>();
        services.AddSingleton<IEmailTemplate, PasswordResetTemplate>();
        services.AddSingleton<IEmailTemplate, CreditDecisionTemplate>();
        services.AddSingleton<IEmailTemplate, StatementReadyTemplate>();
        services.AddSingleton<IEmailTemplate, TransactionAlertTemplate>();
        services.AddSingleton<IEmailTemplate, SecurityAlertTemplate>();
        services.AddSingleton<EmailRenderer>();

        services.AddSingleton<EmailStore>();
        services.AddSingleton<IEmailOutbox, EmailOutbox>();
        services.TryAddSingleton<ITemplatedEmailSender, ConsoleEmailSink>();
        services.AddTransient<IOutboxHandler, EmailSendHandler>();

        services.AddSingleton<CreditDecisionRequests>();
        services.AddTransient<IOutboxHandler, CreditDecisionMailer>();

        services.AddSingleton<AlertRuleStore>();
        services.AddTransient<IAuthorizationRecordedHandler, TransactionAlertRules>();
        services.AddTransient<IOutboxHandler, TransactionAlertHandler>();
        return builder;
    }
}
