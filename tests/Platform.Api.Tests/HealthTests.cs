using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;
using Platform.Testing;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class HealthTests(PlatformStoresFixture stores)
{
    [Fact]
    public async Task Health_reports_healthy_only_with_both_stores_checked()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        using var client = api.CreateContractClient();

        var report = await client.GetFromJsonAsync<HealthReportResponse>("/health");

        Assert.Equal("Healthy", report!.Status);
        Assert.Equal("Healthy", report.Checks["PostgreSql"]);
        Assert.Equal("Healthy", report.Checks["StackExchange.Redis"]);
    }

    [Fact]
    public async Task Health_is_unhealthy_when_redis_is_unreachable()
    {
        var database = await stores.Postgres.CreateDatabaseAsync("health");
        // A port nothing listens on: the API must start (Redis is not needed to boot) but must not claim health.
        await using var api = new ApiFactory(database, "127.0.0.1:1,abortConnect=false,connectTimeout=200");
        using var client = api.CreateContractClient();

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<HealthReportResponse>();
        Assert.Equal("Unhealthy", report!.Checks["StackExchange.Redis"]);
    }

    [Fact]
    public async Task The_openapi_document_is_published()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        using var client = api.CreateContractClient();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/v1/audit/verify", await response.Content.ReadAsStringAsync());
    }
}
