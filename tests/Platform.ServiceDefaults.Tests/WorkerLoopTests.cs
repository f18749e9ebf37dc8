using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.ServiceDefaults.Tests;

public sealed class WorkerLoopTests
{
    [Fact]
    public async Task A_round_that_throws_anything_is_retried_after_a_backoff_and_the_loop_carries_on()
    {
        var logger = new ListLogger();
        var loop = new WorkerLoop(logger, "test worker") { FirstBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(20) };
        var rounds = 0;
        using var stop = new CancellationTokenSource();

        var running = loop.RunAsync(_ =>
        {
            rounds++;
            if (rounds <= 5) throw new InvalidOperationException("An attempt was made to transition a task to a final state when it had already completed.");
            if (rounds == 8) stop.Cancel();
            return Task.CompletedTask;
        }, _ => Task.Delay(1), stop.Token);
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(rounds >= 8);
        Assert.Equal(0, loop.Failures);
        // Five failures in a row are one warning, and the recovery one line.
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("test worker failed", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("recovered after 5 failed rounds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_ends_the_loop_without_an_error_even_in_the_middle_of_a_backoff()
    {
        var logger = new ListLogger();
        var loop = new WorkerLoop(logger, "test worker") { FirstBackoff = TimeSpan.FromSeconds(30) };
        using var stop = new CancellationTokenSource();

        var running = loop.RunAsync(_ => throw new TimeoutException(), _ => Task.CompletedTask, stop.Token);
        await Task.Delay(50);
        stop.Cancel();

        await running.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(TaskStatus.RanToCompletion, running.Status);
    }

    [Fact]
    public void The_backoff_doubles_per_failure_and_is_capped()
    {
        var loop = new WorkerLoop(new ListLogger(), "test worker") { FirstBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(40) };

        Assert.Equal([10d, 20d, 40d, 40d, 40d], Enumerable.Range(1, 5).Select(n => loop.Backoff(n).TotalMilliseconds));
        Assert.Equal(40d, loop.Backoff(10_000).TotalMilliseconds);
    }

    internal sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
