using Platform.Benchmarks;

// dotnet run -c Release --project tests/Platform.Benchmarks -- <mode> [options]
return args.FirstOrDefault() switch
{
    "authorize" => await Platform.Benchmarks.Authorize.AuthorizeBenchmark.RunAsync(args[1..]),
    "fraud" => await Platform.Benchmarks.Fraud.FraudBenchmark.RunAsync(args[1..]),
    "simulators" => await Platform.Benchmarks.Simulators.SimulatorBenchmark.RunAsync(args[1..]),
    "applications" => await Platform.Benchmarks.Underwriting.ApplicationsBenchmark.RunAsync(args[1..]),
    "signin-timing" => await Platform.Benchmarks.Identity.SignInTimingBenchmark.RunAsync(args[1..]),
    _ => Usage.Print(),
};

namespace Platform.Benchmarks
{
    internal static class Usage
    {
        public static int Print()
        {
            Console.Error.WriteLine("""
                usage: dotnet run -c Release --project tests/Platform.Benchmarks -- <mode> [options]
                modes:
                  authorize   against the running stack: authorize throughput and tail latency, the same PostgreSQL's
                          durable INSERT ceiling and the ratio, capture-to-posted
                          [--api URL] [--simcontrol URL] [--concurrency 8,32] [--seconds N] [--postgres "<connection string>"]
                          [--data-directory DIR] [--accounts N] [--captures N] [--processor zero|default|both]
                          open loop instead: --rates 250,500,1000,1500 [--open-seconds 60] [--open-warm-up 90] [--cards 10000] [--overload 2]
                  fraud   fraud scoring in process and over HTTP
                          [--iterations N] [--requests N] [--concurrency N] [--url http://host:port]
                  simulators  processor-sim authorize vs a WireMock.Net stub; settings propagation between two instances
                          [--seconds N] [--concurrency N] [--changes N]
                  applications  POST /v1/applications decision latency against a running stack (dotnet run --project Platform.AppHost)
                          [--url http://localhost:5100] [--requests N] [--concurrency N] [--warmup N]
                  signin-timing  whether register, login, resend and forgot-password take the same time for new, taken,
                          unknown, unconfirmed and locked addresses [--url http://localhost:5100] [--samples N]
                """);
            return 2;
        }
    }
}
