using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Platform.SimControl.BrowserTests;

[Collection(PanelCollection.Name)]
public sealed class EmailsPanelTests(PanelFixture fixture)
{
    private const string Password = "Panel-Customer-Passw0rd-1";

    [Fact]
    public async Task A_new_customer_opens_the_verification_email_in_the_panel_and_follows_its_link()
    {
        var email = $"panel-{Guid.NewGuid():N}@example.com";
        (await fixture.Api.PostAsJsonAsync("/v1/auth/register", new { email, password = Password })).EnsureSuccessStatusCode();
        var page = await fixture.OpenAsync("/emails");
        try
        {
            await page.SetFieldAsync("email-recipient", email);
            var open = page.Locator("[id^=email-open-]");
            await Assertions.Expect(open).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await open.ClickAsync();

            var details = page.GetByTestId("email-details");
            await Assertions.Expect(details.GetByTestId("email-to")).ToHaveTextAsync(email);
            await Assertions.Expect(details.GetByTestId("email-text")).ToContainTextAsync("confirmEmail");
            var html = page.FrameLocator("[data-testid=email-html]");
            await Assertions.Expect(html.Locator("body")).ToContainTextAsync("onfirm");
            await page.AssertAccessibleAsync(includeFrames: false);
            await page.SaveScreenshotAsync("emails-verification");

            var verification = details.GetByTestId("email-link-verification");
            var popup = await page.RunAndWaitForPopupAsync(() => verification.ClickAsync());
            await popup.WaitForLoadStateAsync();
            Assert.StartsWith(new Uri(fixture.ApiAddress, "/v1/auth/confirmEmail").ToString(), popup.Url, StringComparison.Ordinal);
        }
        finally
        {
            await page.CloseAsync();
        }

        // The link did what it says: the address is confirmed and the customer can sign in.
        using var signIn = await fixture.Api.PostAsJsonAsync("/v1/auth/login", new { email, password = Password });
        Assert.True(signIn.IsSuccessStatusCode, await signIn.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_statement_email_shows_its_pdf_which_opens_in_the_browser_and_its_html_is_sandboxed()
    {
        var id = SunkEmailWriter.Write(fixture.EmailDirectory, "statement-ready", "holder@example.com", "Your statement for 2031-02 is ready",
            "<!DOCTYPE html><html><head><title>Statement</title></head><body><h2>Your statement is ready</h2><script>parent.document.title='pwned'</script></body></html>",
            "Your statement is ready\n", ("0-statement-2031-02.pdf", SunkEmailWriter.MinimalPdf));
        var page = await fixture.OpenAsync($"/emails/{id}");
        try
        {
            var details = page.GetByTestId("email-details");
            await Assertions.Expect(details.GetByTestId("email-subject")).ToHaveTextAsync("Your statement for 2031-02 is ready");
            var frame = page.Locator("[data-testid=email-html]");
            var sandbox = await frame.GetAttributeAsync("sandbox") ?? "";
            Assert.DoesNotContain("allow-scripts", sandbox, StringComparison.Ordinal);
            Assert.DoesNotContain("allow-same-origin", sandbox, StringComparison.Ordinal);
            await Assertions.Expect(page.FrameLocator("[data-testid=email-html]").Locator("h2")).ToHaveTextAsync("Your statement is ready");
            await Assertions.Expect(page).Not.ToHaveTitleAsync("pwned");

            var attachment = details.GetByTestId("email-attachments").Locator("fluent-anchor-button[href$='.pdf']");
            var href = await attachment.GetAttributeAsync("href");
            var response = await page.APIRequest.GetAsync(href!);
            Assert.Equal("application/pdf", response.Headers["content-type"]);
            Assert.StartsWith("inline", response.Headers["content-disposition"], StringComparison.Ordinal);
            Assert.Equal(SunkEmailWriter.MinimalPdf, await response.BodyAsync());
            var body = await page.APIRequest.GetAsync((await frame.GetAttributeAsync("src"))!);
            Assert.Contains("sandbox", body.Headers["content-security-policy"], StringComparison.Ordinal);
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}

/// <summary>Writes an e-mail folder the way the API's console sink does (message.json, body.html, body.txt, attachments/).</summary>
internal static class SunkEmailWriter
{
    /// <summary>The smallest PDF a viewer opens: one empty page.</summary>
    public static readonly byte[] MinimalPdf = System.Text.Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

    public static string Write(string directory, string template, string to, string subject, string html, string text, params (string Name, byte[] Content)[] attachments)
    {
        var id = Guid.NewGuid();
        var folder = Path.Combine(directory, id.ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "attachments"));
        File.WriteAllText(Path.Combine(folder, "body.html"), html);
        File.WriteAllText(Path.Combine(folder, "body.txt"), text);
        foreach (var (name, content) in attachments) File.WriteAllBytes(Path.Combine(folder, "attachments", name), content);
        File.WriteAllText(Path.Combine(folder, "message.json"), JsonSerializer.Serialize(new
        {
            emailId = id, messageId = "console-" + id.ToString("N"), from = "no-reply@cards.example.com", to = new[] { to }, subject, template,
            configurationSet = "transactional", attachments = attachments.Select(a => a.Name).ToArray(), sentAt = DateTimeOffset.UtcNow,
        }));
        return id.ToString("N");
    }
}
