using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Platform.Chaos.Platform;

/// <summary>
/// Keeps the errors the services log (their <c>fail:</c> and <c>crit:</c> entries, with the lines that follow them, and
/// whatever they write to stderr) in one file, so an unexpected 5xx in the report can be traced to its cause. The rest of their output is dropped.
/// </summary>
internal sealed partial class ResourceErrorLog(string path) : ILoggerProvider
{
    private const string Prefix = "Platform.AppHost.Resources.";
    private readonly Dictionary<string, bool> inError = [];
    private readonly Lock gate = new();
    private StreamWriter? writer;

    public string Path => path;
    public int Entries { get; private set; }

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(Prefix, StringComparison.Ordinal) ? new ResourceLogger(this, categoryName[Prefix.Length..]) : NullLogger.Instance;

    private void Write(string resource, string line, bool standardError)
    {
        // "<n>: <timestamp> <text>", coloured with ANSI escapes.
        var clean = Ansi().Replace(line, "");
        var match = Entry().Match(clean);
        var (timestamp, text) = match.Success ? (match.Groups[1].Value, match.Groups[2].Value) : ("", clean);
        lock (gate)
        {
            if (Level().IsMatch(text)) inError[resource] = text.StartsWith("fail:", StringComparison.Ordinal) || text.StartsWith("crit:", StringComparison.Ordinal);
            // What a process writes to stderr (the runtime's "Unhandled exception." before an abort, for one) is kept whole.
            if (!inError.GetValueOrDefault(resource) && !standardError) return;
            if (text.StartsWith("fail:", StringComparison.Ordinal) || text.StartsWith("crit:", StringComparison.Ordinal) || text.StartsWith("Unhandled exception", StringComparison.Ordinal)) Entries++;
            writer ??= new StreamWriter(path, append: false) { AutoFlush = true };
            writer.WriteLine($"{timestamp} {resource} {text}");
        }
    }

    public void Dispose()
    {
        lock (gate) writer?.Dispose();
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"^\d+: (\S+) (.*)$")]
    private static partial Regex Entry();

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex Level();

    private sealed class ResourceLogger(ResourceErrorLog log, string resource) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        // The orchestrator forwards a resource's stderr lines at Error level, its stdout lines at Information.
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Write(resource, formatter(state, exception), logLevel >= LogLevel.Error);
    }
}
