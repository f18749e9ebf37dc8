using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace Platform.SimControl.BrowserTests;

[Collection(PanelCollection.Name)]
public sealed class PageRenderingTests(PanelFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string, string> Pages => new()
    {
        { "/", "Simulator control" },
        { "/processor", "Processor" },
        { "/bureau", "Bureau" },
        { "/scenarios", "Scenarios" },
        { "/traffic", "Traffic" },
        { "/live", "Live" },
        { "/journal", "Journal" },
        { "/emails", "E-mails" },
        { "/history", "History" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_renders_interactively_with_its_heading_and_navigation(string path, string heading)
    {
        var page = await fixture.OpenAsync(path);
        try
        {
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Processor", Exact = true })).ToBeVisibleAsync();
            await page.SaveScreenshotAsync(path.Trim('/') is { Length: > 0 } name ? name : "overview");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_has_no_serious_or_critical_accessibility_violation(string path, string heading)
    {
        var page = await fixture.OpenAsync(path);
        try
        {
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await page.WaitForFluentComponentsAsync();
            var result = await page.RunAxe();
            var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
            foreach (var v in result.Violations)
            {
                output.WriteLine($"{v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}");
            }
            Assert.True(blocking.Count == 0,
                string.Join(Environment.NewLine, blocking.Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}")));
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
