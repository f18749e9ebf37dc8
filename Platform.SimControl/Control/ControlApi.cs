using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.SimControl.Settings;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Control;

public sealed record ScenarioList(IReadOnlyList<ScenarioDescriptor> Scenarios, ActiveScenarioView? Active);

/// <summary>The running timed scenario, without the saved settings it will restore.</summary>
public sealed record ActiveScenarioView(string Name, DateTimeOffset AppliedAt, DateTimeOffset? EndsAt, string AppliedBy)
{
    public static ActiveScenarioView? From(ActiveScenario? a) => a is null ? null : new(a.Name, a.AppliedAt, a.EndsAt, a.AppliedBy);
}

public sealed record ScenarioApplied(string Name, DateTimeOffset AppliedAt, DateTimeOffset? EndsAt);

/// <summary>
/// The QA automation surface, <c>/sim/v1</c>. A PUT of settings changes the fields it sends and keeps the others
/// (maps such as <c>declineCodes</c> are replaced whole). Callers may name themselves with <c>X-Sim-Actor</c>;
/// the name goes into the history and the audit spine.
/// </summary>
internal static class ControlApi
{
    public const string ActorHeader = "X-Sim-Actor";

    private static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = SettingsJsonContext.Default,
    };

    public static RouteGroupBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sim/v1").WithTags("sim-control");
        group.MapGet("/processor/settings", GetProcessorSettingsAsync);
        group.MapPut("/processor/settings", PutProcessorSettingsAsync).Accepts<ProcessorSettings>("application/json").NamesActor();
        group.MapGet("/bureau/settings", GetBureauSettingsAsync);
        group.MapPut("/bureau/settings", PutBureauSettingsAsync).Accepts<BureauSettings>("application/json").NamesActor();
        // An SSN travels in bodies only: a URL is recorded by every access log and trace on its way. An override is
        // addressed by its digest id, which the PUT and the list answer with.
        group.MapGet("/bureau/applicants", ListApplicantsAsync);
        group.MapPut("/bureau/applicants", PutApplicantAsync).NamesActor();
        group.MapPost("/bureau/applicants/lookup", LookUpApplicantAsync);
        group.MapGet("/bureau/applicants/{id}", GetApplicantAsync);
        group.MapPut("/bureau/applicants/{id}", UpdateApplicantAsync).NamesActor();
        group.MapDelete("/bureau/applicants/{id}", DeleteApplicantAsync).NamesActor();
        group.MapGet("/scenarios", ListScenariosAsync);
        group.MapPost("/scenarios/{name}/apply", ApplyScenarioAsync).NamesActor();
        group.MapDelete("/scenarios/active", EndScenarioAsync).NamesActor();
        group.MapPost("/reset", ResetAsync).NamesActor();
        group.MapGet("/stats", GetStatsAsync);
        group.MapGet("/history", GetHistoryAsync);
        return group;
    }

    private static RouteHandlerBuilder NamesActor(this RouteHandlerBuilder builder) =>
        builder.DeclaresHeader(ActorHeader, "Who makes the change (at most 100 characters), recorded in the history and the audit trail.", maxLength: 100);

    private static SettingsActor Actor(HttpContext http) =>
        SettingsActor.ControlApi(http.Request.Headers[ActorHeader].ToString() is { Length: > 0 and <= 100 } name ? name : null,
            http.Connection.RemoteIpAddress?.ToString());

    /// <summary>Reads processor-sim's behaviour settings (approval, error and timeout rates, latency, webhooks).</summary>
    public static async Task<Ok<ProcessorSettings>> GetProcessorSettingsAsync(ISimulatorSettingsStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetProcessorSettingsAsync(cancellationToken));

    /// <summary>Changes processor-sim's behaviour settings; fields left out keep their value, and the change applies to the next request on every instance.</summary>
    public static async Task<Results<Ok<ProcessorSettings>, ValidationProblem>> PutProcessorSettingsAsync(
        HttpContext http, ISimulatorSettingsStore store, CancellationToken cancellationToken)
    {
        var current = await store.GetProcessorSettingsAsync(cancellationToken);
        var (merged, errors) = await MergeAsync(http, current, SettingsJsonContext.Default.ProcessorSettings, cancellationToken);
        if (errors is not null) return TypedResults.ValidationProblem(errors);
        var result = await store.UpdateProcessorSettingsAsync(merged!, Actor(http), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : TypedResults.ValidationProblem(result.Errors);
    }

    /// <summary>Reads bureau-sim's behaviour settings (score distribution, file flags, errors, latency).</summary>
    public static async Task<Ok<BureauSettings>> GetBureauSettingsAsync(ISimulatorSettingsStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetBureauSettingsAsync(cancellationToken));

    /// <summary>Changes bureau-sim's behaviour settings; fields left out keep their value, and the change applies to the next request on every instance.</summary>
    public static async Task<Results<Ok<BureauSettings>, ValidationProblem>> PutBureauSettingsAsync(
        HttpContext http, ISimulatorSettingsStore store, CancellationToken cancellationToken)
    {
        var current = await store.GetBureauSettingsAsync(cancellationToken);
        var (merged, errors) = await MergeAsync(http, current, SettingsJsonContext.Default.BureauSettings, cancellationToken);
        if (errors is not null) return TypedResults.ValidationProblem(errors);
        var result = await store.UpdateBureauSettingsAsync(merged!, Actor(http), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : TypedResults.ValidationProblem(result.Errors);
    }

    /// <summary>Lays the sent fields over the current settings. Unknown fields and wrong types are named in the 400.</summary>
    private static async Task<(T? Merged, Dictionary<string, string[]>? Errors)> MergeAsync<T>(
        HttpContext http, T current, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) where T : class
    {
        if (!http.Request.HasJsonContentType()) return (null, new() { ["Content-Type"] = ["Send the body as application/json."] });
        JsonNode? patch;
        try
        {
            patch = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, new() { ["body"] = ["Malformed JSON: " + ex.Message] });
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reports a lone surrogate in a string this way rather than as a JsonException.
            return (null, new() { ["body"] = ["Malformed JSON: a string holds invalid UTF-16 (a lone surrogate)."] });
        }
        if (patch is not JsonObject patchObject) return (null, new() { ["body"] = ["Must be a JSON object."] });

        var target = JsonSerializer.SerializeToNode(current, typeInfo)!.AsObject();
        foreach (var (name, value) in patchObject)
        {
            if (target[name] is JsonObject existing && value is JsonObject nested && name == "latencyMs")
            {
                foreach (var (innerName, innerValue) in nested) existing[innerName] = innerValue?.DeepClone();
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
        try
        {
            return ((T?)JsonSerializer.Deserialize(target, typeof(T), StrictJson), null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal) && ex.Message.Split('\'') is { Length: >= 2 } parts)
                field = ex.Path is { Length: > 2 } p2 ? p2.TrimStart('$', '.') + (p2.EndsWith(parts[1], StringComparison.Ordinal) ? "" : "." + parts[1]) : parts[1];
            return (null, new() { [field] = ["Invalid value or unknown field: " + ex.Message] });
        }
        catch (InvalidOperationException)
        {
            return (null, new() { ["body"] = ["Malformed JSON: a string holds invalid UTF-16 (a lone surrogate)."] });
        }
    }

    /// <summary>Lists the per-applicant overrides bureau-sim answers with, by digest id (SSNs masked).</summary>
    public static async Task<Ok<IReadOnlyList<ApplicantOverride>>> ListApplicantsAsync(ISimulatorSettingsStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListApplicantOverridesAsync(cancellationToken));

    /// <summary>Sets what bureau-sim answers for the applicant whose SSN is in the body (score, flags); answers the override with its digest id.</summary>
    public static async Task<Results<Ok<ApplicantOverride>, ValidationProblem>> PutApplicantAsync(
        ApplicantOverrideBySsnRequest request, HttpContext http, ISimulatorSettingsStore store, CancellationToken cancellationToken)
    {
        if (Ssn.Normalize(request.Ssn) is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ssn"] = ["Must be 9 digits (dashes allowed)."] });
        var result = await store.SetApplicantOverrideAsync(request.Ssn!, new ApplicantOverrideRequest { Score = request.Score, Flags = request.Flags }, Actor(http), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : TypedResults.ValidationProblem(result.Errors);
    }

    /// <summary>Finds the override for the applicant whose SSN is in the body.</summary>
    public static async Task<Results<Ok<ApplicantOverride>, NotFound, ValidationProblem>> LookUpApplicantAsync(
        ApplicantLookupRequest request, ISimulatorSettingsStore store, CancellationToken cancellationToken)
    {
        if (Ssn.Normalize(request.Ssn) is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ssn"] = ["Must be 9 digits (dashes allowed)."] });
        return await store.GetApplicantOverrideAsync(request.Ssn!, cancellationToken) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound();
    }

    /// <summary>Reads one applicant override by its digest id.</summary>
    public static async Task<Results<Ok<ApplicantOverride>, NotFound>> GetApplicantAsync(string id, ISimulatorSettingsStore store, CancellationToken cancellationToken) =>
        await store.GetApplicantOverrideByIdAsync(id, cancellationToken) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound();

    /// <summary>Changes one applicant override, addressed by its digest id.</summary>
    public static async Task<Results<Ok<ApplicantOverride>, NotFound, ValidationProblem>> UpdateApplicantAsync(
        string id, ApplicantOverrideRequest request, HttpContext http, ISimulatorSettingsStore store, CancellationToken cancellationToken)
    {
        if (await store.GetApplicantOverrideByIdAsync(id, cancellationToken) is null) return TypedResults.NotFound();
        var result = await store.UpdateApplicantOverrideByIdAsync(id, request, Actor(http), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : TypedResults.ValidationProblem(result.Errors);
    }

    /// <summary>Removes one applicant override, addressed by its digest id.</summary>
    public static async Task<Results<NoContent, NotFound>> DeleteApplicantAsync(
        string id, HttpContext http, ISimulatorSettingsStore store, CancellationToken cancellationToken) =>
        await store.RemoveApplicantOverrideByIdAsync(id, Actor(http), cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Lists the named scenarios and the one running, if any.</summary>
    public static async Task<Ok<ScenarioList>> ListScenariosAsync(IScenarioService scenarios, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ScenarioList(scenarios.List(), ActiveScenarioView.From(await scenarios.GetActiveAsync(cancellationToken))));

    /// <summary>Applies a named scenario, for a number of seconds or until ended; the settings before it come back when it ends.</summary>
    public static async Task<Results<Ok<ScenarioApplied>, NotFound, ValidationProblem>> ApplyScenarioAsync(
        string name, int? durationSeconds, HttpContext http, IScenarioService scenarios, CancellationToken cancellationToken)
    {
        var result = await scenarios.ApplyAsync(name, durationSeconds is { } d ? TimeSpan.FromSeconds(d) : null, Actor(http), cancellationToken);
        if (!result.Found) return TypedResults.NotFound();
        if (!result.Succeeded) return TypedResults.ValidationProblem(result.Errors);
        return TypedResults.Ok(new ScenarioApplied(result.Active!.Name, result.Active.AppliedAt, result.Active.EndsAt));
    }

    /// <summary>Ends the running scenario and restores the settings from before it.</summary>
    public static async Task<Results<NoContent, NotFound>> EndScenarioAsync(HttpContext http, IScenarioService scenarios, CancellationToken cancellationToken) =>
        await scenarios.EndActiveAsync(Actor(http), cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Resets both simulators to their default settings and clears the applicant overrides and statistics.</summary>
    public static async Task<NoContent> ResetAsync(HttpContext http, ISimulatorSettingsStore store, CancellationToken cancellationToken)
    {
        await store.ResetAsync(Actor(http), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Reads live statistics per simulated operation: counts by outcome and latency percentiles.</summary>
    public static async Task<Ok<SimulatorStatsSnapshot>> GetStatsAsync(ISimulatorStatsService stats, CancellationToken cancellationToken) =>
        TypedResults.Ok(await stats.GetSnapshotAsync(cancellationToken));

    /// <summary>Lists recent settings changes, newest first, with who made them.</summary>
    public static async Task<Ok<IReadOnlyList<SettingsChange>>> GetHistoryAsync(ISimulatorSettingsStore store, int? count, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetHistoryAsync(count ?? 200, cancellationToken));
}
