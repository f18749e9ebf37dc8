using Microsoft.AspNetCore.Components;

namespace Platform.SimControl.Components.Shared;

/// <summary>
/// A page that re-reads what it shows on a fixed beat while it is open (charts, journal, e-mails). One loop per open
/// page, started once the circuit is interactive and ended with the page; a failed read shows <see cref="failure"/>
/// and is tried again on the next beat instead of taking the circuit down.
/// </summary>
public abstract class RefreshingPage : ComponentBase, IDisposable
{
#pragma warning disable CA2213 // Cancelled in Dispose, never disposed: a CancellationTokenSource without timers holds nothing.
    private readonly CancellationTokenSource stop = new();
#pragma warning restore CA2213

    /// <summary>Why the last read failed, for the page to show; null when it worked.</summary>
    protected string? failure;

    [Inject] private ILogger<RefreshingPage> Logger { get; set; } = default!;

    protected virtual TimeSpan RefreshEvery => TimeSpan.FromSeconds(1);

    /// <summary>Cancelled when the page goes away.</summary>
    protected CancellationToken PageClosing => stop.Token;

    /// <summary>Reads what the page shows.</summary>
    protected abstract Task ReadAsync(CancellationToken cancellationToken);

    /// <summary>False to skip a beat (the page is paused, or a user action is in progress).</summary>
    protected virtual bool ShouldRefresh => true;

    protected override async Task OnInitializedAsync()
    {
        await RefreshAsync();
        if (RendererInfo.IsInteractive) _ = LoopAsync(stop.Token);
    }

    protected async Task RefreshAsync()
    {
        try
        {
            await ReadAsync(stop.Token);
            failure = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogWarning(ex, "{Page} could not read what it shows", GetType().Name);
            failure = $"Could not read the latest data ({ex.GetType().Name}); retrying.";
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (!ShouldRefresh) continue;
                await InvokeAsync(async () =>
                {
                    await RefreshAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away between two ticks.
        }
    }

    public virtual void Dispose()
    {
        // Cancel only: the loop may still be reading the token on its way out.
        stop.Cancel();
        GC.SuppressFinalize(this);
    }
}
