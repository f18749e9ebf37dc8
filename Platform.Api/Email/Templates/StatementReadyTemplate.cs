using System.Text.Json.Serialization.Metadata;
using static Platform.Api.Email.EmailFormat;

namespace Platform.Api.Email.Templates;

internal sealed class StatementReadyTemplate : EmailTemplate<StatementReadyEmailModel>
{
    public override string Name => EmailTemplates.StatementReady;
    protected override JsonTypeInfo<StatementReadyEmailModel> TypeInfo => EmailJsonContext.Default.StatementReadyEmailModel;

    public override RenderedEmail Render(StatementReadyEmailModel model) =>
        new EmailDocument($"Your statement for {model.Period} is ready")
            .Heading($"Your statement for {model.Period}")
            .Paragraph($"Hello {model.DisplayName},")
            .Paragraph("Your statement is attached as a PDF.")
            .Facts(
                ("New balance", Money(model.NewBalance, model.Currency)),
                ("Minimum payment due", Money(model.MinimumPayment, model.Currency)),
                ("Payment due date", Date(model.DueDate)))
            .Paragraph("Paying only the minimum each month means you will pay more in interest and it will take longer to pay off your balance.")
            .SmallPrint("If your payment arrives after the due date, you may have to pay a late fee.")
            .Render();
}
