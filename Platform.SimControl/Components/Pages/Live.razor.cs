using System.Globalization;
using Microsoft.AspNetCore.Components;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Components.Pages;

public partial class Live : ComponentBase, IDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    private SimulatorStatsSnapshot? snapshot;
    private IQueryable<OperationStats> rows = Enumerable.Empty<OperationStats>().AsQueryable();
    private string? failure;
#pragma warning disable CA2213 // Cancelled in Dispose, never disposed: a CancellationTokenSource without timers holds nothing.
    private readonly CancellationTokenSource stop = new();
#pragma warning restore CA2213

    [Inject] private ISimulatorStatsService Stats { get; set; } = default!;

    [Inject] private ILogger<Live> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        await RefreshAsync();
        if (RendererInfo.IsInteractive)
        {
            // One loop per open page; it ends with the page (Dispose cancels it).
            _ = RefreshLoopAsync(stop.Token);
        }
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
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

    private async Task RefreshAsync()
    {
        try
        {
            snapshot = await Stats.GetSnapshotAsync(stop.Token);
            rows = snapshot.Operations.OrderBy(o => o.Simulator, StringComparer.Ordinal).ThenBy(o => o.Operation, StringComparer.Ordinal).AsQueryable();
            failure = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Redis hiccups must not take the page down; say so and try again on the next tick.
            Logger.LogWarning(ex, "Could not read simulator statistics");
            failure = "Could not read the statistics; retrying every second.";
        }
    }

    private static string Rate(double perSecond) => perSecond.ToString(perSecond < 10 ? "0.0" : "N0", CultureInfo.InvariantCulture);

    private static string Ms(StatsWindow window, double value) =>
        window.Requests == 0 ? "–" : value.ToString("0", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        // Cancel only: the loop may still be reading the token on its way out.
        stop.Cancel();
        GC.SuppressFinalize(this);
    }
}
