using System.Text.Json.Serialization.Metadata;
using static Platform.Api.Email.EmailFormat;

namespace Platform.Api.Email.Templates;

internal sealed class TransactionAlertTemplate : EmailTemplate<TransactionAlertEmailModel>
{
    public override string Name => EmailTemplates.TransactionAlert;
    protected override JsonTypeInfo<TransactionAlertEmailModel> TypeInfo => EmailJsonContext.Default.TransactionAlertEmailModel;

    public override RenderedEmail Render(TransactionAlertEmailModel model)
    {
        var amount = Money(model.Amount, model.Currency);
        var document = model.Kind switch
        {
            TransactionAlertKinds.LargePurchase => new EmailDocument($"Purchase of {amount} on your card ending {model.CardLast4}")
                .Heading("Large purchase approved")
                .Paragraph($"Hello {model.DisplayName},")
                .Paragraph($"A purchase of {amount} at {model.MerchantName} was approved on your card ending {model.CardLast4}."),
            TransactionAlertKinds.DeclinedFraud => new EmailDocument($"We declined a purchase on your card ending {model.CardLast4}")
                .Heading("Purchase declined for your protection")
                .Paragraph($"Hello {model.DisplayName},")
                .Paragraph($"We declined a purchase of {amount} at {model.MerchantName} on your card ending {model.CardLast4} because it looked unusual."),
            _ => throw new ArgumentException($"Unknown transaction alert kind '{model.Kind}'.", nameof(model)),
        };
        return document
            .Facts(("Merchant", model.MerchantName), ("Amount", amount), ("Card", "ending " + model.CardLast4), ("When", Time(model.At)))
            .Paragraph("If you made this purchase, there is nothing to do. If you did not, call the number on the back of your card.")
            .SmallPrint("You receive this alert because of the alert rules on your account.")
            .Render();
    }
}
