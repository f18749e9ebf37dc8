using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.ServiceDefaults.Tests;

/// <summary>
/// A database going away under a request (PostgreSQL restarting: SQLSTATE 57P01; a lost connection, which the driver
/// calls transient) is answered 503 with Retry-After; anything else stays a 500.
/// </summary>
public sealed class StoreUnavailableTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private HttpClient http = null!;

    private sealed class StoreException(string? sqlState, bool transient) : DbException("store failed")
    {
        public override string? SqlState => sqlState;

        public override bool IsTransient => transient;
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddHttpErrorDefaults();
        app = builder.Build();
        app.UseDefaultExceptionHandling();
        app.MapGet("/shutdown", () => { throw new InvalidOperationException("wrapped", new StoreException("57P01", transient: false)); });
        app.MapGet("/connection-lost", () => { throw new StoreException(null, transient: true); });
        app.MapGet("/constraint", () => { throw new StoreException("23505", transient: false); });
        app.MapGet("/bug", () => { throw new InvalidOperationException("a bug"); });
        await app.StartAsync();
        http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("/shutdown")]
    [InlineData("/connection-lost")]
    public async Task A_store_that_is_restarting_or_unreachable_is_a_503_problem_with_retry_after(string path)
    {
        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("store failed", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/constraint")]
    [InlineData("/bug")]
    public async Task Any_other_failure_stays_a_500_problem(string path)
    {
        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
