using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using static Platform.Api.Email.EmailFormat;

namespace Platform.Api.Email.Templates;

/// <summary>
/// Approval, or the adverse-action notice a decline requires: the principal reasons and the creditor's name and address
/// (ECOA / Reg B §1002.9), the consumer reporting agency's name, address and toll-free number and the consumer's rights
/// under FCRA §615(a), and the credit score disclosure (the score, its range, up to four key factors, its date and source).
/// </summary>
internal sealed class CreditDecisionTemplate : EmailTemplate<CreditDecisionEmailModel>
{
    public const string EcoaNotice =
        "The federal Equal Credit Opportunity Act prohibits creditors from discriminating against credit applicants on the basis of " +
        "race, color, religion, national origin, sex, marital status, age (provided the applicant has the capacity to enter into a binding " +
        "contract); because all or part of the applicant's income derives from any public assistance program; or because the applicant has " +
        "in good faith exercised any right under the Consumer Credit Protection Act. The federal agency that administers compliance with " +
        "this law concerning this creditor is the Consumer Financial Protection Bureau, 1700 G Street NW, Washington, DC 20552.";

    public override string Name => EmailTemplates.CreditDecision;
    protected override JsonTypeInfo<CreditDecisionEmailModel> TypeInfo => EmailJsonContext.Default.CreditDecisionEmailModel;

    public override RenderedEmail Render(CreditDecisionEmailModel model) => model.Outcome switch
    {
        "approved" => Approved(model),
        "declined" => Declined(model),
        "pending_review" => PendingReview(model),
        _ => throw new ArgumentException($"Unknown decision outcome '{model.Outcome}'.", nameof(model)),
    };

    private static RenderedEmail Approved(CreditDecisionEmailModel model)
    {
        var facts = new List<(string, string)>();
        if (model.CreditLimit is { } limit) facts.Add(("Credit limit", Money(limit, model.Currency)));
        if (model.Apr is { } apr) facts.Add(("Purchase APR", Percent(apr)));
        facts.Add(("Decision date", Date(model.DecidedAt)));
        return new EmailDocument("Your card application is approved")
            .Heading("You're approved")
            .Paragraph($"Hello {model.DisplayName},")
            .Paragraph("Good news: your application for a credit card has been approved.")
            .Facts([.. facts])
            .Paragraph("Your card is on its way; you can use your virtual card as soon as it is active.")
            .Render();
    }

    private static RenderedEmail PendingReview(CreditDecisionEmailModel model) =>
        new EmailDocument("We need a little more time on your card application")
            .Heading("Your application is being reviewed")
            .Paragraph($"Hello {model.DisplayName},")
            .Paragraph("We could not make a decision on your application yet. We will write to you again once it is decided.")
            .Bullets(model.Reasons.Select(r => r.Text))
            .Render();

    private static RenderedEmail Declined(CreditDecisionEmailModel model)
    {
        var document = new EmailDocument("About your card application")
            .Heading("Notice of action taken")
            .Paragraph($"Hello {model.DisplayName},")
            .Paragraph($"Thank you for applying. After careful review, we are unable to approve your application for a credit card. Decision date: {Date(model.DecidedAt)}.")
            .Paragraph("Principal reason(s) for our decision:")
            .Bullets(model.Reasons.Select(r => r.Text));

        if (model.BureauName is { Length: > 0 } bureau)
        {
            document
                .Heading("Your rights under the Fair Credit Reporting Act")
                .Paragraph("Our credit decision was based in whole or in part on information obtained in a report from the consumer reporting agency listed below. " +
                    "You have a right under the Fair Credit Reporting Act to know the information contained in your credit file at the consumer reporting agency. " +
                    "The reporting agency played no part in our decision and is unable to supply specific reasons why we have denied credit to you. " +
                    "You also have a right to a free copy of your report from the reporting agency, if you request it no later than 60 days after you receive this notice. " +
                    "In addition, if you find that any information contained in the report you receive is inaccurate or incomplete, you have the right to dispute the matter with the reporting agency.")
                .Facts([("Consumer reporting agency", bureau),
                    .. model.BureauAddress is { Length: > 0 } address ? new[] { ("Address", address) } : [],
                    .. model.BureauPhone is { Length: > 0 } phone ? new[] { ("Toll-free telephone", phone) } : []]);
        }

        if (model.Score is { } score)
        {
            document
                .Heading("Your credit score")
                .Paragraph("We also obtained your credit score from this consumer reporting agency and used it in making our credit decision. " +
                    "Your credit score is a number that reflects the information in your credit report, and can change depending on how the information in your credit report changes.")
                .Facts(
                    ("Your credit score", score.Score?.ToString(CultureInfo.InvariantCulture) ?? "Not available"),
                    ("Scores range from", $"a low of {score.RangeMin.ToString(CultureInfo.InvariantCulture)} to a high of {score.RangeMax.ToString(CultureInfo.InvariantCulture)}"),
                    ("Date", Date(score.Date)),
                    ("Score model", score.Model),
                    ("Provided by", score.Source));
            if (score.KeyFactors.Count > 0)
            {
                document.Paragraph("Key factors that adversely affected your credit score:").Bullets(score.KeyFactors.Take(4).Select(f => f.Text));
            }
        }

        if (model.CreditorName is { Length: > 0 } creditor)
            document.Paragraph("This notice is given by the creditor:").Facts([("Creditor", creditor), .. model.CreditorAddress is { Length: > 0 } at ? new[] { ("Address", at) } : []]);
        return document.SmallPrint(EcoaNotice).Render();
    }
}
