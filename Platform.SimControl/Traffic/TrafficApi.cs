using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Traffic;

/// <summary>
/// <c>/sim/v1/traffic</c>: start card traffic through the platform API (202 once the generator has signed in and the
/// run exists), read its state and counts, stop it. <c>/sim/v1/live</c>: the per-second series the live charts draw.
/// </summary>
internal static class TrafficApi
{
    private static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = TrafficJsonContext.Default,
    };

    public static RouteGroupBuilder MapTrafficApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sim/v1").WithTags("sim-traffic");
        group.MapPost("/traffic", StartAsync).Accepts<TrafficRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/traffic", GetAsync);
        group.MapDelete("/traffic", StopAsync);
        group.MapGet("/live", GetLiveAsync);
        return group;
    }

    /// <summary>Starts card traffic through the platform API at a set rate for a set time (202 once the generator has signed in).</summary>
    public static async Task<Results<Accepted<TrafficStatus>, ValidationProblem, ProblemHttpResult>> StartAsync(
        HttpContext http, TrafficGenerator generator, CancellationToken cancellationToken)
    {
        TrafficRequest? request;
        try
        {
            request = http.Request.ContentLength == 0 ? null : await JsonSerializer.DeserializeAsync<TrafficRequest>(http.Request.Body, StrictJson, cancellationToken);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = ["Invalid value or unknown field: " + ex.Message] });
        }
        return await generator.StartAsync(request, cancellationToken) switch
        {
            TrafficStartResult.Started started => TypedResults.Accepted("/sim/v1/traffic", started.Status),
            TrafficStartResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            TrafficStartResult.AlreadyRunning running => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Traffic is already running",
                detail: $"Run {running.Status.RunId} is {running.Status.State}; stop it first (DELETE /sim/v1/traffic).",
                extensions: new Dictionary<string, object?> { ["runId"] = running.Status.RunId }),
            TrafficStartResult.NotConfigured not => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Traffic generator not configured", detail: not.Reason),
            TrafficStartResult.SignInFailed failed => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Could not sign in to the platform API", detail: failed.Reason),
            _ => throw new InvalidOperationException("Unknown start result."),
        };
    }

    /// <summary>Reads the current or last traffic run: its state, counts, answers by status and outcome, and latency.</summary>
    public static async Task<Ok<TrafficStatus>> GetAsync(TrafficGenerator generator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await generator.GetStatusAsync(cancellationToken));

    /// <summary>Stops the running traffic; requests in flight still finish.</summary>
    public static async Task<Results<Accepted<TrafficStatus>, NotFound>> StopAsync(TrafficGenerator generator, CancellationToken cancellationToken) =>
        await generator.StopAsync(cancellationToken)
            ? TypedResults.Accepted("/sim/v1/traffic", await generator.GetStatusAsync(cancellationToken))
            : TypedResults.NotFound();

    /// <summary>Every series over the last <paramref name="seconds"/> (10 to 900, default 300), one point per second.</summary>
    public static async Task<Results<Ok<LiveSeriesSnapshot>, ValidationProblem>> GetLiveAsync(int? seconds, SecondSeriesReader reader, CancellationToken cancellationToken)
    {
        if (seconds is < 10 or > SecondSeriesReader.MaxWindowSeconds)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["seconds"] = [$"10 to {SecondSeriesReader.MaxWindowSeconds}."] });
        return TypedResults.Ok(await reader.GetAsync(seconds ?? 300, cancellationToken));
    }
}
