using System.Text.Json.Serialization.Metadata;
using static Platform.Api.Email.EmailFormat;

namespace Platform.Api.Email.Templates;

internal sealed class SecurityAlertTemplate : EmailTemplate<SecurityAlertEmailModel>
{
    public override string Name => EmailTemplates.SecurityAlert;
    protected override JsonTypeInfo<SecurityAlertEmailModel> TypeInfo => EmailJsonContext.Default.SecurityAlertEmailModel;

    public override RenderedEmail Render(SecurityAlertEmailModel model)
    {
        var (subject, what) = model.Kind switch
        {
            SecurityAlertKinds.NewDeviceLogin => ("New sign-in to your account", "Your account was signed in to from a device we have not seen before."),
            SecurityAlertKinds.PasswordChanged => ("Your password was changed", "The password for your account was changed."),
            SecurityAlertKinds.RegistrationAttempt => ("Someone tried to open an account with your address",
                "Someone tried to register a new account with this e-mail address, which already has one. No new account was opened; if it was you, sign in or reset your password instead."),
            SecurityAlertKinds.AccountLocked => ("Your account was locked",
                "After several sign-ins with a wrong password, signing in to your account is paused for a while."),
            _ => throw new ArgumentException($"Unknown security alert kind '{model.Kind}'.", nameof(model)),
        };
        var facts = new List<(string, string)> { ("When", Time(model.At)) };
        if (!string.IsNullOrWhiteSpace(model.Device)) facts.Add(("Device", model.Device));
        if (!string.IsNullOrWhiteSpace(model.IpAddress)) facts.Add(("IP address", model.IpAddress));
        return new EmailDocument(subject)
            .Heading(subject)
            .Paragraph($"Hello {model.DisplayName},")
            .Paragraph(what)
            .Facts([.. facts])
            .Paragraph("If this was you, there is nothing to do. If it was not, change your password now and call the number on the back of your card.")
            .SmallPrint("We send this e-mail for your security; it cannot be turned off.")
            .Render();
    }
}
