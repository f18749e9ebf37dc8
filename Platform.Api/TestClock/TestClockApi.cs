using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Api.Audit;
using Platform.Api.Identity;
using StackExchange.Redis;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.TestClock;

/// <param name="OffsetSeconds">How far ahead of real time the platform's clock runs; 0 puts it back.</param>
public sealed record TestClockState(long OffsetSeconds, DateTimeOffset Now);

public sealed record SetTestClockRequest(long? OffsetSeconds) : IOpenApiExample<SetTestClockRequest>
{
    /// <summary>Two days ahead.</summary>
    public static SetTestClockRequest Example => new(172_800);
}

internal static class TestClockApi
{
    public static IEndpointRouteBuilder MapTestClockApi(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<AdjustableClock>() is null) return app;
        var group = app.MapGroup("/v1/test-clock").WithTags("Test clock").RequireAuthorization(PlatformPolicies.Operator);
        group.MapGet("/", Get);
        group.MapPut("/", SetAsync);
        return app;
    }

    /// <summary>Reads QA's test clock: how far the platform's clock is moved and what time it is there.</summary>
    /// <remarks>Only where the platform runs with <c>TestClock:Enabled=true</c> (QA); never in production.</remarks>
    public static Ok<TestClockState> Get(AdjustableClock clock) => TypedResults.Ok(new TestClockState((long)clock.Offset.TotalSeconds, clock.GetUtcNow()));

    /// <summary>Moves every instance's clock (forward only from real time, at most a year); audited like any operator act.</summary>
    /// <remarks>Only where the platform runs with <c>TestClock:Enabled=true</c> (QA); never in production.</remarks>
    public static async Task<Results<Ok<TestClockState>, ValidationProblem>> SetAsync(SetTestClockRequest request, HttpContext http,
        IConnectionMultiplexer redis, AdjustableClock clock, IAuditTrail audit, CancellationToken cancellationToken)
    {
        if (request.OffsetSeconds is not (>= 0 and <= 366L * 24 * 3600))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["offsetSeconds"] = ["Required: 0 to 31,622,400 (a year)."] });
        var before = (long)clock.Offset.TotalSeconds;
        await redis.GetDatabase().StringSetAsync(AdjustableClockSync.OffsetKey, request.OffsetSeconds.Value);
        // This instance moves at once; the others within their next poll.
        clock.Set(TimeSpan.FromSeconds(request.OffsetSeconds.Value));
        await audit.AppendAsync(new AuditEntry("test_clock.set", FinancialAudit.RequestActor(http), AuditOutcome.Success, FinancialAudit.RequestOrigin(http), null,
            System.Text.Json.JsonSerializer.SerializeToElement(new Dictionary<string, object?> { ["before"] = before, ["after"] = request.OffsetSeconds })), cancellationToken);
        return TypedResults.Ok(new TestClockState(request.OffsetSeconds.Value, clock.GetUtcNow()));
    }
}

internal static class TestClockServiceExtensions
{
    public const string EnabledKey = "TestClock:Enabled";

    /// <summary>Registers the movable clock as the platform's TimeProvider when (and only when) configuration asks for it.</summary>
    public static IHostApplicationBuilder AddTestClockIfEnabled(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>(EnabledKey)) return builder;
        var clock = new AdjustableClock();
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddHostedService<AdjustableClockSync>();
        return builder;
    }
}
