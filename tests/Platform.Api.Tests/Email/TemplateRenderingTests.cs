using System.Text.Json;
using Platform.Api.Email;
using Platform.Api.Email.Templates;

namespace Platform.Api.Tests.Email;

/// <summary>The templates on their own: what each e-mail says, in HTML and text, from its typed model.</summary>
public sealed class TemplateRenderingTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 14, 5, 0, TimeSpan.Zero);

    private static readonly EmailRenderer Renderer = new(
        [new VerificationTemplate(), new CreditDecisionTemplate(), new StatementReadyTemplate(), new TransactionAlertTemplate(), new SecurityAlertTemplate()]);

    private static RenderedEmail Render(string template, object model) => Renderer.Render(template, Renderer.Serialize(template, model));

    public static TheoryData<string, object, string> EveryTemplate => new()
    {
        { EmailTemplates.Verification, new VerificationEmailModel("Ada", "https://cards.example.com/confirm?token=abc"), "https://cards.example.com/confirm?token=abc" },
        { EmailTemplates.StatementReady, new StatementReadyEmailModel("Ada", "2026-10", 123_456, 2_500, "USD", new DateOnly(2026, 11, 25)), "1,234.56 USD" },
        { EmailTemplates.TransactionAlert, new TransactionAlertEmailModel("Ada", TransactionAlertKinds.LargePurchase, "4242", "Big Store", 75_000, "USD", At), "750.00 USD" },
        { EmailTemplates.SecurityAlert, new SecurityAlertEmailModel("Ada", SecurityAlertKinds.NewDeviceLogin, At, "203.0.113.7", "Firefox on Linux"), "203.0.113.7" },
        { EmailTemplates.CreditDecision, Approval(), "2,500.00 USD" },
    };

    [Theory]
    [MemberData(nameof(EveryTemplate))]
    public void Every_template_renders_a_subject_and_html_and_text_bodies_that_carry_the_model(string template, object model, string expected)
    {
        var rendered = Render(template, model);

        Assert.False(string.IsNullOrWhiteSpace(rendered.Subject));
        Assert.StartsWith("<!DOCTYPE html>", rendered.HtmlBody);
        Assert.Contains(expected, System.Net.WebUtility.HtmlDecode(rendered.HtmlBody));
        Assert.Contains(expected, rendered.TextBody);
        Assert.DoesNotContain("<", rendered.TextBody);
    }

    [Fact]
    public void Model_values_are_html_encoded_in_the_html_body_and_left_plain_in_the_text_body()
    {
        var rendered = Render(EmailTemplates.Verification, new VerificationEmailModel("<script>alert(1)</script>", "https://x.example.com/c?a=1&b=\"2\""));

        Assert.DoesNotContain("<script>", rendered.HtmlBody);
        Assert.Contains("&lt;script&gt;", rendered.HtmlBody);
        Assert.DoesNotContain("b=\"2\"", rendered.HtmlBody);
        Assert.Contains("<script>alert(1)</script>", rendered.TextBody);
    }

    [Theory]
    [InlineData(123_456, "USD", "1,234.56 USD")]
    [InlineData(5, "USD", "0.05 USD")]
    [InlineData(-250_000, "EUR", "-2,500.00 EUR")]
    [InlineData(1_234_567, "JPY", "1,234,567 JPY")]
    [InlineData(1_234_567, "KWD", "1,234.567 KWD")]
    public void Money_is_shown_in_major_units_with_grouping_and_the_currency_code(long minor, string currency, string expected) =>
        Assert.Equal(expected, EmailFormat.Money(minor, currency));

    [Theory]
    [InlineData("ada@example.com", "a***@example.com")]
    [InlineData("a@b.example", "a***@b.example")]
    [InlineData("not-an-address", "***")]
    public void Recipients_are_masked_to_their_first_letter_and_domain(string address, string masked) =>
        Assert.Equal(masked, RecipientMask.Mask(address));

    [Fact]
    public void A_declined_credit_decision_states_reasons_score_range_factors_date_and_bureau()
    {
        var model = new CreditDecisionEmailModel("Grace Hopper", "declined", At, null, null, "USD",
            [new("SCORE_BELOW_MINIMUM", "Credit score 580 is below our minimum of 620"), new("DEBT_TO_INCOME_TOO_HIGH", "Excessive obligations in relation to income")],
            new CreditScoreDisclosure(580, 300, 850, "FICO 8", "bureau-sim", At.AddDays(-1),
                [new("10", "Proportion of balances to credit limits on revolving accounts is too high"), new("02", "Level of delinquency on accounts")]),
            "Bureau Sim Consumer Reporting", "P.O. Box 1000, Springfield, IL 62705", "1-800-555-0199",
            "Card Platform Bank, N.A.", "100 Example Plaza, Springfield, IL 62701");

        var rendered = Render(EmailTemplates.CreditDecision, model);

        foreach (var body in new[] { rendered.TextBody, System.Net.WebUtility.HtmlDecode(rendered.HtmlBody) })
        {
            Assert.Contains("Credit score 580 is below our minimum of 620", body);
            Assert.Contains("Excessive obligations in relation to income", body);
            Assert.Contains("a low of 300 to a high of 850", body);
            Assert.Contains("Proportion of balances to credit limits on revolving accounts is too high", body);
            Assert.Contains("November 25, 2026", body);
            Assert.Contains("November 26, 2026", body);
            Assert.Contains("bureau-sim", body);
            // FCRA §615(a)(2): the agency's name, address and toll-free number; Reg B §1002.9(a)(2): the creditor's.
            Assert.Contains("Bureau Sim Consumer Reporting", body);
            Assert.Contains("P.O. Box 1000, Springfield, IL 62705", body);
            Assert.Contains("1-800-555-0199", body);
            Assert.Contains("Card Platform Bank, N.A.", body);
            Assert.Contains("100 Example Plaza, Springfield, IL 62701", body);
            Assert.Contains("Fair Credit Reporting Act", body);
            Assert.Contains("free copy of your report", body);
            Assert.Contains("Equal Credit Opportunity Act", body);
        }
        Assert.Contains("Your credit score: 580", rendered.TextBody);
        Assert.Contains("Consumer reporting agency: Bureau Sim Consumer Reporting", rendered.TextBody);
        Assert.Contains("Toll-free telephone: 1-800-555-0199", rendered.TextBody);
        Assert.Contains("Creditor: Card Platform Bank, N.A.", rendered.TextBody);
        Assert.Equal("About your card application", rendered.Subject);
    }

    [Fact]
    public void An_approval_states_the_credit_line_and_apr_without_an_adverse_action_notice()
    {
        var rendered = Render(EmailTemplates.CreditDecision, Approval());

        Assert.Contains("Credit limit: 2,500.00 USD", rendered.TextBody);
        Assert.Contains("Purchase APR: 19.99%", rendered.TextBody);
        Assert.DoesNotContain("Fair Credit Reporting Act", rendered.TextBody);
    }

    [Fact]
    public void A_fraud_decline_alert_names_the_merchant_amount_and_masked_card()
    {
        var rendered = Render(EmailTemplates.TransactionAlert,
            new TransactionAlertEmailModel("Ada", TransactionAlertKinds.DeclinedFraud, "4242", "Far Away Electronics", 99_900, "USD", At));

        Assert.Equal("We declined a purchase on your card ending 4242", rendered.Subject);
        Assert.Contains("We declined a purchase of 999.00 USD at Far Away Electronics on your card ending 4242", rendered.TextBody);
        Assert.Contains("November 26, 2026 at 14:05 UTC", rendered.TextBody);
    }

    [Fact]
    public void A_password_change_alert_says_the_password_changed()
    {
        var rendered = Render(EmailTemplates.SecurityAlert, new SecurityAlertEmailModel("Ada", SecurityAlertKinds.PasswordChanged, At, null, null));

        Assert.Equal("Your password was changed", rendered.Subject);
        Assert.DoesNotContain("IP address", rendered.TextBody);
    }

    [Fact]
    public void A_model_of_another_templates_type_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Renderer.Serialize(EmailTemplates.StatementReady, new VerificationEmailModel("Ada", "https://x.example.com")));
        Assert.Contains(nameof(StatementReadyEmailModel), error.Message);
    }

    [Fact]
    public void An_unknown_template_name_is_refused() =>
        Assert.Throws<ArgumentException>(() => Renderer.Serialize("newsletter", new VerificationEmailModel("Ada", "https://x.example.com")));

    [Fact]
    public void A_stored_model_renders_the_same_after_its_json_round_trip()
    {
        var model = new StatementReadyEmailModel("Ada", "2026-10", 123_456, 2_500, "USD", new DateOnly(2026, 11, 25));
        var stored = JsonDocument.Parse(Renderer.Serialize(EmailTemplates.StatementReady, model).GetRawText()).RootElement;

        Assert.Equal(new StatementReadyTemplate().Render(model), Renderer.Render(EmailTemplates.StatementReady, stored));
    }

    private static CreditDecisionEmailModel Approval() =>
        new("Grace Hopper", "approved", At, 250_000, 0.1999m, "USD", [], null, null);
}
