using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.ServiceDefaults.Tests;

/// <summary>
/// The contract the ServiceDefaults transformers derive, on a small app whose endpoints carry each kind of metadata:
/// the refusals come from authorization, binding, rate limiting and the declared results, not from a list per endpoint.
/// </summary>
public sealed class PlatformContractTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private JsonElement paths;
    private JsonElement components;

    public sealed record ThingRequest(string Name, string? Note, int Count = 1) : IOpenApiExample<ThingRequest>
    {
        public static ThingRequest Example => new("lamp", null, 2);
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication().AddBearerToken("Bearer");
        builder.Services.AddAuthorizationBuilder().AddPolicy("operators", policy => policy.RequireRole("operator"));
        builder.Services.AddRateLimiter(options => options.AddFixedWindowLimiter("tight", limiter =>
        {
            limiter.PermitLimit = 1;
            limiter.Window = TimeSpan.FromMinutes(1);
        }));
        builder.Services.AddOpenApi(options => options.AddPlatformContract());
        app = builder.Build();
        app.MapOpenApi();
        app.MapPost("/things", CreateThing).RequireAuthorization();
        app.MapGet("/things/{id:guid}", ReadThing).RequireAuthorization("operators").RequireRateLimiting("tight");
        app.MapPost("/things/{id:guid}/ship", (Guid id) => TypedResults.Accepted($"/things/{id}")).RequiresIdempotencyKey().ProducesServerErrors();
        app.MapGet("/open", () => TypedResults.Ok("hello"));
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement.Clone();
        paths = document.GetProperty("paths");
        components = document.GetProperty("components");
    }

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static Ok<ThingRequest> CreateThing(ThingRequest thing, [FromHeader(Name = "Idempotency-Key")] string? key) => TypedResults.Ok(thing);

    private static Results<Ok<ThingRequest>, NotFound> ReadThing(Guid id) => TypedResults.NotFound();

    private JsonElement Operation(string path, string method) => paths.GetProperty(path).GetProperty(method);

    private static string[] Statuses(JsonElement operation) => [.. operation.GetProperty("responses").EnumerateObject().Select(r => r.Name)];

    [Fact]
    public void A_body_and_a_sign_in_give_400_415_and_401_but_not_403_or_429()
    {
        Assert.Equal(["200", "400", "401", "415", "503"], Statuses(Operation("/things", "post")));
    }

    [Fact]
    public void A_policy_gives_403_a_rate_limit_429_with_retry_after_and_the_results_404()
    {
        var read = Operation("/things/{id}", "get");

        Assert.Equal(["200", "400", "401", "403", "404", "429", "503"], Statuses(read));
        Assert.True(read.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
    }

    [Fact]
    public void An_endpoint_without_input_or_authorization_declares_only_its_answer_and_no_security()
    {
        var open = Operation("/open", "get");

        // 503 is declared everywhere: any operation may find a store restarting (StoreUnavailableExceptionHandler).
        Assert.Equal(["200", "503"], Statuses(open));
        Assert.True(open.GetProperty("responses").GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.False(open.TryGetProperty("security", out _));
    }

    [Fact]
    public void Every_refusal_is_problem_details_including_the_bodyless_not_found()
    {
        var notFound = Operation("/things/{id}", "get").GetProperty("responses").GetProperty("404").GetProperty("content");

        Assert.Equal("#/components/schemas/ProblemDetails", notFound.GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Single(notFound.EnumerateObject());
        Assert.True(components.GetProperty("schemas").TryGetProperty("ProblemDetails", out _));
    }

    [Fact]
    public void Signed_in_operations_name_the_bearer_scheme()
    {
        var security = Operation("/things", "post").GetProperty("security")[0];

        Assert.True(security.TryGetProperty("Bearer", out _));
        Assert.Equal("bearer", components.GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public void The_idempotency_key_is_a_required_header_whether_bound_or_read_by_hand()
    {
        foreach (var operation in new[] { Operation("/things", "post"), Operation("/things/{id}/ship", "post") })
        {
            var key = operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Idempotency-Key");
            Assert.Equal(("header", true, 255), (key.GetProperty("in").GetString(), key.GetProperty("required").GetBoolean(), key.GetProperty("schema").GetProperty("maxLength").GetInt32()));
        }
    }

    [Fact]
    public void A_simulated_operation_declares_the_server_error_range()
    {
        Assert.Contains("5XX", Statuses(Operation("/things/{id}/ship", "post")));
    }

    [Fact]
    public void Nullable_and_defaulted_properties_are_not_required()
    {
        var thing = components.GetProperty("schemas").GetProperty("ThingRequest");

        Assert.Equal(["name"], thing.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("integer", thing.GetProperty("properties").GetProperty("count").GetProperty("type").GetString());
    }

    [Fact]
    public void The_request_body_carries_the_types_example_without_nulls()
    {
        var example = Operation("/things", "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

        Assert.Equal("""{"name":"lamp","count":2}""", example.GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Operation_ids_come_from_handler_names_and_routes_and_are_unique()
    {
        var ids = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).Select(o => o.Value.GetProperty("operationId").GetString()).ToList();

        Assert.Equal(["CreateThing", "ReadThing", "PostThingsIdShip", "GetOpen"], ids);
    }
}
