using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Processor;

/// <summary>What a mutating processor request came to: the answer's body, or the refusal or validation problem to send.</summary>
internal sealed record RequestOutcome<TRes>(TRes? Body, ProblemHttpResult? Problem, ValidationProblem? Invalid = null, bool Replayed = false)
{
    public static RequestOutcome<TRes> Bad(Dictionary<string, string[]> errors) => new(default, null, TypedResults.ValidationProblem(errors));

    public Results<TOk, ProblemHttpResult, ValidationProblem> Failure<TOk>() where TOk : IResult =>
        Invalid is { } invalid ? invalid : Problem!;
}

/// <summary>The steps every mutating processor call shares: header, key, body, behaviour, then the work under the key.</summary>
internal static class ProcessorRequests
{
    /// <summary>Runs <paramref name="work"/> in the transaction that holds the request's idempotency key.</summary>
    public static Func<TReq, OperationContext, IdempotencyKey, Task<IdempotentResult<TRes>>> InTransaction<TReq, TRes>(
        ProcessorServices s, JsonTypeInfo<TRes> responseInfo, Func<TReq, OperationContext, NpgsqlConnection, NpgsqlTransaction, Task<WorkResult<TRes>>> work) =>
        (request, context, key) => s.Idempotency.RunAsync(key, responseInfo, (connection, tx) => work(request, context, connection, tx), CancellationToken.None);

    public static async Task<RequestOutcome<TRes>> RunAsync<TReq, TRes>(
        HttpContext http, ProcessorServices s, string operation, string scope,
        JsonTypeInfo<TReq> requestInfo,
        Func<TReq, Dictionary<string, string[]>> validate,
        Func<TReq, SimScenarioHeader, SimScenarioHeader>? adjustHeader,
        Func<TReq, OperationContext, IdempotencyKey, Task<IdempotentResult<TRes>>> execute)
        where TReq : class
    {
        if (!SimScenarioHeader.TryParse(http.Request.Headers[SimScenarioHeader.Name], out var header, out var headerError))
            return RequestOutcome<TRes>.Bad(new Dictionary<string, string[]> { [SimScenarioHeader.Name] = [headerError!] });
        var key = http.Request.Headers[Idempotency.HeaderName].ToString();
        if (string.IsNullOrWhiteSpace(key) || key.Length > 255)
            return RequestOutcome<TRes>.Bad(new Dictionary<string, string[]> { [Idempotency.HeaderName] = ["Required on every mutating call, at most 255 characters."] });

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var bytes = buffer.ToArray();
        // The body is read by hand (its exact bytes are hashed for idempotency), so the media type is checked here too.
        if (bytes.Length > 0 && !http.Request.HasJsonContentType())
            return new(default, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the body as application/json."));
        TReq? request;
        try
        {
            request = bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes, requestInfo);
        }
        catch (JsonException ex)
        {
            return RequestOutcome<TRes>.Bad(new Dictionary<string, string[]> { [ex.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "body"] = ["Malformed JSON: " + ex.Message] });
        }
        if (bytes.Length > 0) http.Items[Journal.RequestJournal.RequestItem] = bytes;
        request ??= typeof(TReq) == typeof(AmountRequest) ? (TReq)(object)new AmountRequest(null) : null;
        if (request is null)
            return RequestOutcome<TRes>.Bad(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        var errors = validate(request);
        if (errors.Count > 0) return RequestOutcome<TRes>.Bad(errors);
        if (adjustHeader is not null) header = adjustHeader(request, header);

        var settings = (await s.Settings.GetCurrentAsync()).Processor;
        var effective = settings.For(operation);
        var decision = await s.Behaviour.DecideAsync(new BehaviourInputs(
            Simulators.Processor, operation, settings.Seed, settings.Version, effective.ErrorRate, effective.TimeoutRate,
            settings.ErrorStatusCode, effective.LatencyMs, settings.FailFirstCalls, header));
        if (await s.Behaviour.PlayAsync(decision, http) is { } failure) return new(default, failure);

        var context = new OperationContext(settings, effective, header, decision.Random, s.Time.GetUtcNow());
        // Not tied to the caller: an operation that has started completes and is recorded even if the caller gave up.
        var result = await execute(request, context, new IdempotencyKey(scope, key, Idempotency.Hash(scope, bytes)));
        var replayed = result.Outcome == IdempotencyOutcome.Replayed;
        // Authorizations complete in their own request; everything else is an operation for the completer.
        if (!replayed && result.Body is not null && operation != ProcessorOperations.Authorize) s.Work.OperationsAccepted.Wake();
        if (replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        return new(result.Body, result.Problem, Replayed: replayed);
    }
}
