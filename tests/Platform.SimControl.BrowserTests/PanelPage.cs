using Microsoft.Playwright;

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
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    public static async Task CloseAsync(this IPage page) => await page.Context.CloseAsync();

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
