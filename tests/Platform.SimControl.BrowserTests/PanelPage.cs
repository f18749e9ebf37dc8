using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;

namespace Platform.SimControl.BrowserTests;

/// <summary>
/// How the tests drive Fluent UI v5 web components: they take their ARIA role from ElementInternals, which role
/// locators do not read, so fields are found by id and typed into through their inner input (CSS locators pierce
/// open shadow roots), then left with Tab so the component raises its change event.
/// </summary>
internal static class PanelPage
{
    public static ILocator Input(this IPage page, string id) => page.Locator($"#{id} input");

    public static async Task SetFieldAsync(this IPage page, string id, string value)
    {
        var input = page.Input(id);
        // A field that has just appeared may still be wiring up its input mask, which rewrites the bound value over
        // what was typed; type again until the field keeps it.
        for (var attempt = 0; ; attempt++)
        {
            await input.FillAsync(value);
            await input.PressAsync("Tab");
            if (attempt == 3) return;
            try
            {
                await Assertions.Expect(input).ToHaveValueAsync(value, new() { Timeout = 1_000 });
                return;
            }
            catch (PlaywrightException)
            {
            }
        }
    }

    /// <summary>
    /// Axe finds no serious or critical violation on the page as it is now (with its data, not just empty). Frames are
    /// left out where asked: a sandboxed frame that may not run scripts (an e-mail's HTML) cannot host axe, and waiting
    /// for it never ends.
    /// </summary>
    public static async Task AssertAccessibleAsync(this IPage page, bool includeFrames = true)
    {
        var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions { Iframes = includeFrames });
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0,
            string.Join(Environment.NewLine, blocking.Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}")));
    }

    public static async Task CloseAsync(this IPage page) => await page.Context.CloseAsync();

    /// <summary>
    /// Waits until every Fluent web component on the page has upgraded and every field has its inner input: they get
    /// it, and its accessible name, only then, a moment after Blazor rendered them. An accessibility scan before that
    /// sees unlabelled fields (it did, once, on a fresh machine). A page still loading its data renders its fields only
    /// after that, so the wait is for the loaded page: a scan that starts while a select appears sees it half-built.
    /// </summary>
    public static async Task WaitForFluentComponentsAsync(this IPage page) =>
        await page.WaitForFunctionAsync("""
            () => document.querySelector('.page-loading') === null
               && [...document.querySelectorAll('*')].filter(e => e.localName.startsWith('fluent-')).every(e => customElements.get(e.localName) !== undefined)
               && [...document.querySelectorAll('fluent-select')].every(e => e.shadowRoot !== null)
               && [...document.querySelectorAll('[id$="-input"]')].every(e => e.shadowRoot !== null && e.shadowRoot.querySelector('input') !== null)
            """);

    /// <summary>
    /// Keeps a picture of the page in <c>screenshots/</c> next to the test assembly, for a person to look at.
    /// The layout scrolls inside its content area, so a tall window rather than FullPage captures all of it.
    /// </summary>
    public static async Task SaveScreenshotAsync(this IPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await page.SetViewportSizeAsync(1366, 2000);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png") });
    }
}
