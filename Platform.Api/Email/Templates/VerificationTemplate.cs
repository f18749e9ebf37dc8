using System.Text.Json.Serialization.Metadata;

namespace Platform.Api.Email.Templates;

internal sealed class VerificationTemplate : EmailTemplate<VerificationEmailModel>
{
    public override string Name => EmailTemplates.Verification;
    protected override JsonTypeInfo<VerificationEmailModel> TypeInfo => EmailJsonContext.Default.VerificationEmailModel;

    public override RenderedEmail Render(VerificationEmailModel model) =>
        new EmailDocument("Confirm your e-mail address")
            .Heading($"Welcome, {model.DisplayName}")
            .Paragraph("Please confirm this is your e-mail address so we can send you statements and security alerts.")
            .Action("Confirm e-mail address", model.ConfirmationLink)
            .SmallPrint("If you did not create an account, you can ignore this e-mail; nothing happens until the address is confirmed.")
            .Render();
}
