using Microsoft.Playwright;
using Xunit;

namespace Platform.SimControl.BrowserTests;

[Collection(PanelCollection.Name)]
public sealed class PageRenderingTests(PanelFixture fixture)
{
    public static TheoryData<string, string> Pages => new()
    {
        { "/", "Simulator control" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_renders_interactively_with_its_heading(string path, string heading)
    {
        var page = await fixture.OpenAsync(path);
        try
        {
            var h1 = page.Locator("h1");
            await Assertions.Expect(h1).ToHaveTextAsync(heading);
            Directory.CreateDirectory("screenshots");
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine("screenshots", (path.Trim('/') is { Length: > 0 } name ? name : "home") + ".png"),
                FullPage = true,
            });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
