using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Platform.Fraud.Tests;

/// <summary>The fraud service in memory, against the given Redis (or a closed port, to test degradation).</summary>
public sealed class FraudServiceFactory(string redisConnectionString) : WebApplicationFactory<Program>
{
    public const string TestHashKey = "test-only-velocity-hash-key-0123456789abcdef";

    /// <summary>A Redis connection string for a port nothing listens on.</summary>
    public static string UnreachableRedis() => $"127.0.0.1:{ClosedPort()},abortConnect=false";

    /// <summary>A loopback port that was free a moment ago and that nothing listens on.</summary>
    public static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:redis", redisConnectionString);
        // Postgres is only behind /health here; nothing in scoring touches it.
        builder.UseSetting("ConnectionStrings:platform", "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none");
        builder.UseSetting("Fraud:VelocityHashKey", TestHashKey);
        // Functional tests on a busy two-core machine: Redis gets more than the production 20 ms, so a slow
        // moment does not turn a velocity assertion into a degraded score. Timing is the benchmark's business.
        builder.UseSetting("Fraud:TransactionVelocityTimeoutMs", "250");
        builder.UseSetting("Fraud:ApiKey", Platform.Testing.TestCredentials.FraudApiKey);
    }

    /// <summary>Clients call as the API does: with the internal key.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(Platform.Testing.TestCredentials.ApiKeyHeader, Platform.Testing.TestCredentials.FraudApiKey);
    }
}
