using Platform.Chaos;

// dotnet run -c Release --project tests/Platform.Chaos -- [--seed N] [--operations N] [--callers N] [--replicas N] [--duration 10m] ...
ChaosOptions options;
try
{
    options = ChaosOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(ChaosOptions.UsageText);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var result = await ChaosRun.RunAsync(options, Console.Out, cancel.Token);
return result.Violations > 0 ? 1 : 0;
