using System.Globalization;
using Microsoft.AspNetCore.Components;
using Platform.SimControl.Components.Shared;
using Platform.SimControl.Emails;

namespace Platform.SimControl.Components.Pages;

public partial class Emails : RefreshingPage
{
    private IReadOnlyList<SunkEmail> emails = [];
    private SunkEmailDetails? selected;
    private string recipient = "";
    private string template = "";
    private string directory = "";
    private IReadOnlyList<string> TemplateChoices = [""];

    /// <summary>The e-mail shown, from the address (<c>/emails/{id}</c>), so a link to one e-mail can be shared.</summary>
    [Parameter] public string? Id { get; set; }

    [Inject] private SunkEmails Sink { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected override TimeSpan RefreshEvery => TimeSpan.FromSeconds(2);

    protected override Task ReadAsync(CancellationToken cancellationToken)
    {
        var list = Sink.List(recipient, template, 200);
        emails = list.Emails;
        directory = list.Directory;
        var all = Sink.List(null, null, 1000).Emails.Select(e => e.Template).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        TemplateChoices = ["", .. all];
        if (Id is not null && selected?.Email.Id != Id) selected = Sink.Get(Id);
        return Task.CompletedTask;
    }

    protected override void OnParametersSet() => selected = Id is null ? null : Sink.Get(Id);

    private void Open(string id) => Navigation.NavigateTo($"/emails/{id}");

    private async Task ApplyAsync(Action change)
    {
        change();
        await RefreshAsync();
    }

    private static string LinkLabel(EmailLink link) => link.Kind switch
    {
        "verification" => "Open the verification link",
        "reset" => "Open the reset link",
        _ => "Open link",
    };

    private static string Size(long bytes) =>
        bytes >= 1024 * 1024 ? (bytes / 1024.0 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MB"
        : bytes >= 1024 ? (bytes / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " KB"
        : bytes.ToString(CultureInfo.InvariantCulture) + " B";
}
