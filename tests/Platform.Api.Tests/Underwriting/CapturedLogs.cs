using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Platform.Api.Tests.Underwriting;

/// <summary>One log record as a provider received it: the formatted message and every structured property.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, string?>> Properties, string? Exception);

/// <summary>A logger provider that keeps what it is given, after redaction, like any real sink would receive it.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Records { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value?.ToString())).ToList()
                : [];
            owner.Records.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), properties, exception?.ToString()));
        }
    }
}
