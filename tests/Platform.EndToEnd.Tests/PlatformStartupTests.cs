using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.EndToEnd.Tests;

[Collection(PlatformAppCollection.Name)]
public sealed class PlatformStartupTests(PlatformAppFixture platform)
{
    [Fact]
    public void Every_resource_and_every_api_replica_reaches_healthy()
    {
        var notifications = platform.App.Services.GetRequiredService<ResourceNotificationService>();

        foreach (var name in PlatformAppFixture.ResourceNames)
        {
            var instances = platform.HealthyInstances.Where(i => i.Value == name).Select(i => i.Key).ToList();
            Assert.Equal(PlatformAppFixture.ExpectedInstances(name), instances.Count);
            foreach (var instance in instances)
            {
                Assert.True(notifications.TryGetCurrentState(instance, out var resourceEvent), $"{instance} has no state");
                Assert.Equal(HealthStatus.Healthy, resourceEvent!.Snapshot.HealthStatus);
            }
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("fraud")]
    [InlineData("simcontrol")]
    public async Task Each_service_reaches_postgres_and_redis(string service)
    {
        using var client = platform.App.CreateHttpClient(service);

        var report = await client.GetFromJsonAsync<JsonElement>("/health");

        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("PostgreSql").GetString());
        Assert.Equal("Healthy", checks.GetProperty("StackExchange.Redis").GetString());
    }

    [Fact]
    public async Task The_local_database_server_keeps_a_working_set_of_shared_buffers_not_postgres_own_128_mb()
    {
        await using var connection = new Npgsql.NpgsqlConnection(await platform.App.GetConnectionStringAsync("postgres"));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("show shared_buffers", connection);

        Assert.Equal("1GB", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_api_has_migrated_the_database_and_its_audit_chain_verifies()
    {
        var report = await platform.OperatorApi.GetFromJsonAsync<JsonElement>("/v1/audit/verify");

        Assert.True(report.GetProperty("intact").GetBoolean());
    }

    [Theory]
    [InlineData("api")]
    [InlineData("fraud")]
    [InlineData("simcontrol")]
    public async Task Each_service_publishes_its_openapi_document(string service)
    {
        using var client = platform.App.CreateHttpClient(service);

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task The_test_clients_hold_every_exchange_to_the_services_documents()
    {
        // A body the API's document forbids never leaves the client: the check is installed in the AppHost's clients.
        var violation = await Assert.ThrowsAsync<Platform.Testing.Contracts.ContractViolationException>(() =>
            platform.OperatorApi.PostAsJsonAsync("/v1/authorizations", new { amount = "lots" }));

        Assert.Contains(violation.Violations, v => v.Location == "request body /amount" && v.Rule == "type");
    }
}
