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
}
