using Microsoft.AspNetCore.Components;
using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Components.Shared;

/// <summary>
/// A page that shows settings and must follow changes made elsewhere (another panel, the control API, a timed scenario
/// ending) without a reload. The store raises <see cref="ISimulatorSettingsStore.Changed"/> on a thread-pool thread on
/// every instance; the handler hops onto the circuit's dispatcher, and the subscription ends with the page.
/// </summary>
public abstract class StoreSubscriberPage : ComponentBase, IDisposable
{
    private bool subscribed;

    [Inject] protected ISimulatorSettingsStore Store { get; set; } = default!;

    /// <summary>Field errors of the last save, keyed by JSON path (<c>latencyMs.p99</c>).</summary>
    protected IReadOnlyDictionary<string, string[]> errors = new Dictionary<string, string[]>();

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        // Prerendering runs this too, but only the interactive render lives long enough to receive notifications.
        if (RendererInfo.IsInteractive)
        {
            Store.Changed += OnStoreChanged;
            subscribed = true;
        }
    }

    /// <summary>Reads what the page shows from the store.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Called on the circuit's dispatcher after a change from anywhere. Re-reads by default.</summary>
    protected virtual Task OnSettingsChangedAsync(SettingsChangeNotification change) => LoadAsync();

    private void OnStoreChanged(object? sender, SettingsChangeNotification change) =>
        _ = InvokeAsync(async () =>
        {
            try
            {
                await OnSettingsChangedAsync(change);
                StateHasChanged();
            }
            catch (Exception ex)
            {
                // A failed refresh must not go unobserved, and must not kill the circuit silently either.
                await DispatchExceptionAsync(ex);
            }
        });

    protected string? Error(string field) =>
        errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    protected MessageState? State(string field) => errors.ContainsKey(field) ? MessageState.Error : null;

    [CascadingParameter] private PanelOrigin? Origin { get; set; }

    /// <summary>The panel has no sign-in of its own; changes are attributed to the panel and the browser's address.</summary>
    protected SettingsActor PanelActor => SettingsActor.Panel(null, Origin?.OriginIp);

    public virtual void Dispose()
    {
        if (subscribed) Store.Changed -= OnStoreChanged;
        GC.SuppressFinalize(this);
    }
}
