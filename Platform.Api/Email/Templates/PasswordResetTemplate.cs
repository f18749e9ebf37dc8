using System.Text.Json.Serialization.Metadata;

namespace Platform.Api.Email.Templates;

internal sealed class PasswordResetTemplate : EmailTemplate<PasswordResetEmailModel>
{
    public override string Name => EmailTemplates.PasswordReset;
    protected override JsonTypeInfo<PasswordResetEmailModel> TypeInfo => EmailJsonContext.Default.PasswordResetEmailModel;

    public override RenderedEmail Render(PasswordResetEmailModel model) =>
        new EmailDocument("Reset your password")
            .Heading("Reset your password")
            .Paragraph($"Hello {model.DisplayName},")
            .Paragraph("Someone asked to reset the password for your account. If it was you, use this code to choose a new password:")
            .Facts(("Reset code", model.ResetCode))
            .SmallPrint("If you did not ask for this, ignore this e-mail: your password stays as it is. We will never ask you for this code by phone.")
            .Render();
}
