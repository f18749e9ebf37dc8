using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Email;
using Platform.Api.Tests.Money;
using Platform.Api.Tests.Underwriting;

namespace Platform.Api.Tests.Email;

/// <summary>Credit decisions underwriting asks to mail (outbox items of kind email.credit-decision) become one e-mail each.</summary>
[Collection(EmailCollection.Name)]
public sealed class CreditDecisionEmailTests(EmailFixture fixture)
{
    [Fact]
    public async Task A_declined_application_is_mailed_once_with_its_adverse_action_notice_and_no_ssn_or_date_of_birth()
    {
        var ssn = TestApplicants.NewSsn();
        fixture.Stub.Answers[ssn] = new StubBureauAnswer(560);
        var applicationId = await ApplyAsync(ssn, "declined");

        var (requestId, emailId) = await MailedAsync(applicationId);
        var sent = await fixture.SentAsync(emailId);

        Assert.Equal(["grace.hopper@example.com"], sent.Metadata.To);
        Assert.Equal(EmailTemplates.CreditDecision, sent.Metadata.Template);
        Assert.Equal("About your card application", sent.Metadata.Subject);
        Assert.Contains("Hello Grace Hopper,", sent.Text);
        Assert.Contains("Credit score 560 is below our minimum of 620", sent.Text);
        Assert.Contains("Your credit score: 560", sent.Text);
        Assert.Contains("Scores range from: a low of 300 to a high of 850", sent.Text);
        Assert.Contains("Proportion of balances to credit limits on revolving accounts is too high", sent.Text);
        // The agency and creditor as configured (appsettings.json's AdverseAction), not the bureau's internal name only.
        Assert.Contains("Consumer reporting agency: Bureau Sim Consumer Reporting (simulated agency)", sent.Text);
        Assert.Contains("Address: P.O. Box 1000, Springfield, IL 62705", sent.Text);
        Assert.Contains("Toll-free telephone: 1-800-555-0199", sent.Text);
        Assert.Contains("Creditor: Card Platform Bank, N.A.", sent.Text);
        Assert.Contains("Equal Credit Opportunity Act", sent.Text);
        foreach (var body in new[] { sent.Text, sent.Html })
        {
            Assert.DoesNotContain(ssn, body.Replace("-", ""));
            Assert.DoesNotContain(ssn[5..], body);
            Assert.DoesNotContain(TestApplicants.DateOfBirth, body);
            Assert.DoesNotContain("1984", body);
        }
        Assert.Equal("done", await Poll.UntilAsync(() => fixture.ScalarAsync<string>("select status from core.outbox where outbox_id = $1", requestId), status => status == "done"));
        Assert.NotNull(await fixture.ScalarAsync<DateTime?>("select sent_at from core.emails where email_id = $1", emailId));
    }

    [Fact]
    public async Task An_approved_application_is_mailed_with_its_credit_limit_and_apr()
    {
        var ssn = TestApplicants.NewSsn();
        fixture.Stub.Answers[ssn] = new StubBureauAnswer(780);
        var applicationId = await ApplyAsync(ssn, "approved");

        var (_, emailId) = await MailedAsync(applicationId);
        var sent = await fixture.SentAsync(emailId);

        var limit = await fixture.ScalarAsync<long>("select d.credit_limit from core.credit_decisions d join core.applications a on a.latest_decision_id = d.decision_id where a.application_id = $1", applicationId);
        Assert.Equal("Your card application is approved", sent.Metadata.Subject);
        Assert.Contains($"Credit limit: {EmailFormat.Money(limit, "USD")}", sent.Text);
        Assert.Contains("Purchase APR: ", sent.Text);
        Assert.DoesNotContain("Fair Credit Reporting Act", sent.Text);
    }

    [Fact]
    public async Task A_decision_request_handled_again_yields_no_second_email()
    {
        var ssn = TestApplicants.NewSsn();
        fixture.Stub.Answers[ssn] = new StubBureauAnswer(540);
        var applicationId = await ApplyAsync(ssn, "declined");
        var (requestId, emailId) = await MailedAsync(applicationId);
        await fixture.SentAsync(emailId);
        await Poll.UntilAsync(() => fixture.ScalarAsync<string>("select status from core.outbox where outbox_id = $1", requestId), status => status == "done");

        // As if the worker had crashed before recording it done: the mailer takes the request again.
        await fixture.ScalarAsync<int>("update core.outbox set status = 'pending', completed_at = null, next_attempt_at = now() where outbox_id = $1", requestId);
        await Poll.UntilAsync(() => fixture.ScalarAsync<string>("select status from core.outbox where outbox_id = $1", requestId), status => status == "done");

        Assert.Equal(2, await fixture.ScalarAsync<int>("select attempts from core.outbox where outbox_id = $1", requestId));
        var decisionId = await fixture.ScalarAsync<Guid>("select subject_id from core.outbox where outbox_id = $1", requestId);
        Assert.Equal(1L, await fixture.ScalarAsync<long>("select count(*) from core.emails where deduplication_key = $1", $"credit-decision:{decisionId}"));
        Assert.Equal(1L, await fixture.ScalarAsync<long>("select count(*) from core.outbox where kind = 'email.send' and subject_id = $1", emailId));
    }

    [Fact]
    public async Task A_request_that_cannot_be_mailed_backs_off_without_holding_up_the_next_decision()
    {
        var unknownDecision = Guid.NewGuid();
        var stuck = await fixture.ScalarAsync<long>("""
            insert into core.outbox (kind, subject_id, payload, next_attempt_at, created_at)
            values ('email.credit-decision', $1, '{"recipient": "grace.hopper@example.com"}', now(), now()) returning outbox_id
            """, unknownDecision);
        var ssn = TestApplicants.NewSsn();
        fixture.Stub.Answers[ssn] = new StubBureauAnswer(780);

        var (_, emailId) = await MailedAsync(await ApplyAsync(ssn, "approved"));
        await fixture.SentAsync(emailId);

        var lastError = await Poll.UntilAsync(() => fixture.ScalarAsync<string>("select last_error from core.outbox where outbox_id = $1", stuck), e => e is not null);
        Assert.Contains("No such credit decision", lastError);
        Assert.Equal("pending", await fixture.ScalarAsync<string>("select status from core.outbox where outbox_id = $1", stuck));
        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.emails where deduplication_key = $1", $"credit-decision:{unknownDecision}"));
    }

    private async Task<Guid> ApplyAsync(string ssn, string expectedStatus)
    {
        var response = await fixture.Client.PostAsJsonAsync("/v1/applications", TestApplicants.Application(ssn));
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var application = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expectedStatus, application.GetProperty("status").GetString());
        return application.GetProperty("id").GetGuid();
    }

    /// <summary>The application's decision e-mail request (its outbox item) and, once the mailer has handled it, the e-mail it queued.</summary>
    private async Task<(long RequestId, Guid EmailId)> MailedAsync(Guid applicationId)
    {
        var decisionId = await fixture.ScalarAsync<Guid>("select latest_decision_id from core.applications where application_id = $1", applicationId);
        var requestId = await fixture.ScalarAsync<long>("select outbox_id from core.outbox where kind = 'email.credit-decision' and subject_id = $1", decisionId);
        var emailId = await Poll.UntilAsync(() => fixture.ScalarAsync<Guid?>("select email_id from core.emails where deduplication_key = $1", $"credit-decision:{decisionId}"),
            id => id is not null);
        return (requestId, emailId!.Value);
    }
}
