using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>The e-mail viewer's API over a console-sink folder: what it lists, what it serves and what it refuses to open.</summary>
[Collection(SimControlCollection.Name)]
public sealed class EmailViewerTests(SimControlFixture fixture) : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("sim-email-").FullName;
    private WebApplicationFactory<Program> viewer = null!;
    private HttpClient client = null!;

    public Task InitializeAsync()
    {
        viewer = fixture.First.WithWebHostBuilder(b => b.UseSetting("Emails:Directory", directory));
        client = viewer.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await viewer.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task E_mails_are_listed_newest_first_with_their_links_and_filtered_by_recipient_and_template()
    {
        var older = Write("verification", "ann@example.com", "Confirm your e-mail", "Confirm: https://api.example/v1/auth/confirmEmail?userId=1&code=abc.\n", DateTimeOffset.UtcNow.AddMinutes(-2));
        var newer = Write("security-alert", "bob@example.com", "New sign-in", "Not you? Reset: https://api.example/reset?code=9\n", DateTimeOffset.UtcNow);
        // A send in progress (the sink's staging folder) is not an e-mail yet.
        Directory.CreateDirectory(Path.Combine(directory, $".{Guid.NewGuid():N}.{Guid.NewGuid():N}.tmp"));

        var all = await client.GetFromJsonAsync<JsonElement>("/sim/v1/emails");
        var forAnn = await client.GetFromJsonAsync<JsonElement>("/sim/v1/emails?recipient=ANN@");
        var alerts = await client.GetFromJsonAsync<JsonElement>("/sim/v1/emails?template=security-alert");
        var details = await client.GetFromJsonAsync<JsonElement>($"/sim/v1/emails/{older}");

        Assert.Equal([newer, older], all.GetProperty("emails").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(older, Assert.Single(forAnn.GetProperty("emails").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(newer, Assert.Single(alerts.GetProperty("emails").EnumerateArray()).GetProperty("id").GetString());
        var link = Assert.Single(details.GetProperty("links").EnumerateArray());
        Assert.Equal("verification", link.GetProperty("kind").GetString());
        Assert.Equal("https://api.example/v1/auth/confirmEmail?userId=1&code=abc", link.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Html_is_served_sandboxed_and_a_pdf_inline()
    {
        var id = Write("statement-ready", "ann@example.com", "Statement", "Your statement\n", DateTimeOffset.UtcNow, ("0-statement.pdf", "%PDF-1.4\n"u8.ToArray()));

        using var html = await client.GetAsync($"/sim/v1/emails/{id}/html");
        using var pdf = await client.GetAsync($"/sim/v1/emails/{id}/attachments/0-statement.pdf");

        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("sandbox", html.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("allow-scripts", html.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", pdf.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Theory]
    [InlineData("/sim/v1/emails/not-an-id")]
    [InlineData("/sim/v1/emails/0123456789abcdef0123456789abcdef")]
    [InlineData("/sim/v1/emails/{id}/attachments/message.json")]
    [InlineData("/sim/v1/emails/{id}/attachments/..%2Fbody.txt")]
    [InlineData("/sim/v1/emails/{id}/attachments/..%2F..%2F..%2Fetc%2Fpasswd")]
    public async Task Only_the_sinks_own_files_are_served(string path)
    {
        var id = Write("verification", "ann@example.com", "Confirm", "text\n", DateTimeOffset.UtcNow);

        using var response = await client.GetAsync(path.Replace("{id}", id, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_bad_limit_is_refused_naming_it()
    {
        // Malformed on purpose: only the answer is held to the contract.
        using var badInput = ContractValidation.AllowInvalidRequests();

        using var response = await client.GetAsync("/sim/v1/emails?limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("limit", out _));
    }

    /// <summary>An e-mail folder as the API's console sink writes it.</summary>
    private string Write(string template, string to, string subject, string text, DateTimeOffset sentAt, params (string Name, byte[] Content)[] attachments)
    {
        var id = Guid.NewGuid();
        var folder = Path.Combine(directory, id.ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "attachments"));
        File.WriteAllText(Path.Combine(folder, "body.html"), $"<html><body><p>{subject}</p></body></html>");
        File.WriteAllText(Path.Combine(folder, "body.txt"), text);
        foreach (var (name, content) in attachments) File.WriteAllBytes(Path.Combine(folder, "attachments", name), content);
        File.WriteAllText(Path.Combine(folder, "message.json"), JsonSerializer.Serialize(new
        {
            emailId = id, messageId = "console-" + id.ToString("N"), from = "no-reply@cards.example.com", to = new[] { to }, subject, template,
            configurationSet = "transactional", attachments = attachments.Select(a => a.Name).ToArray(), sentAt,
        }));
        return id.ToString("N");
    }
}
