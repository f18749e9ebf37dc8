using Microsoft.AspNetCore.Http.HttpResults;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Journal;

/// <summary>
/// <c>/sim/v1/journal</c>: every simulated request, newest first, shared by every instance. Filter by simulator,
/// operation and outcome; export as JSON Lines; replay one entry.
/// </summary>
internal static class JournalApi
{
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapJournalApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sim/v1/journal").WithTags("sim-journal");
        group.MapGet("/", ListAsync);
        group.MapGet("/export", ExportAsync).Produces<Stream>(StatusCodes.Status200OK, JsonLinesContentType);
        group.MapGet("/{id}", GetAsync);
        group.MapPost("/{id}/replay", ReplayAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/", ClearAsync);
        return group;
    }

    public const string JsonLinesContentType = "application/jsonl";

    /// <summary>Lists journal entries newest first, filtered by simulator, operation and outcome.</summary>
    public static async Task<Results<Ok<JournalPage>, ValidationProblem>> ListAsync(
        string? simulator, string? operation, string? outcome, int? limit, JournalStore store, CancellationToken cancellationToken)
    {
        var errors = Validate(simulator, operation, outcome);
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"From 1 to {MaxLimit}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await store.ListAsync(Filter(simulator, operation, outcome), limit ?? 50, cancellationToken));
    }

    /// <summary>Exports every matching journal entry, oldest first, as JSON Lines (a download).</summary>
    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportAsync(
        string? simulator, string? operation, string? outcome, HttpContext http, JournalStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate(simulator, operation, outcome);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        http.Response.ContentType = JsonLinesContentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"sim-journal-{time.GetUtcNow():yyyyMMdd-HHmmss}.jsonl\"";
        await store.WriteJsonLinesAsync(Filter(simulator, operation, outcome), http.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>Reads one journal entry.</summary>
    public static async Task<Results<Ok<JournalEntry>, NotFound>> GetAsync(string id, JournalStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } stored ? TypedResults.Ok(stored.Entry) : TypedResults.NotFound();

    /// <summary>Sends a journal entry's request to its simulator again (a fresh idempotency key unless asked to keep the recorded one).</summary>
    public static async Task<Results<Ok<JournalReplay>, NotFound, ProblemHttpResult>> ReplayAsync(
        string id, bool? keepIdempotencyKey, JournalReplayer replayer, CancellationToken cancellationToken) =>
        await replayer.ReplayAsync(id, keepIdempotencyKey ?? false, cancellationToken) switch
        {
            ReplayOutcome.Replayed replayed => TypedResults.Ok(replayed.Answer),
            ReplayOutcome.NotReplayable no => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot replay this entry", detail: no.Reason),
            _ => TypedResults.NotFound(),
        };

    /// <summary>Empties the journal (every instance's view of it).</summary>
    public static async Task<NoContent> ClearAsync(JournalStore store)
    {
        await store.ClearAsync();
        return TypedResults.NoContent();
    }

    internal static JournalFilter Filter(string? simulator, string? operation, string? outcome) =>
        new(Blank(simulator), Blank(operation), Blank(outcome));

    private static Dictionary<string, string[]> Validate(string? simulator, string? operation, string? outcome)
    {
        var errors = new Dictionary<string, string[]>();
        if (Blank(simulator) is { } s && s is not (Simulators.Processor or Simulators.Bureau)) errors["simulator"] = ["processor or bureau."];
        if (operation is { Length: > 40 }) errors["operation"] = ["At most 40 characters."];
        if (outcome is { Length: > 20 }) errors["outcome"] = ["At most 20 characters."];
        return errors;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
