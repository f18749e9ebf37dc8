using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Processor;

internal sealed record ProcessorServices(
    RedisSimulatorSettingsStore Settings,
    SimulatorBehaviour Behaviour,
    Idempotency Idempotency,
    ProcessorLedger Ledger,
    IOptions<ProcessorOptions> Options,
    TimeProvider Time,
    ProcessorWork Work);

/// <summary>
/// processor-sim: the contract the platform's processor client uses against a real processor. Authorize answers at
/// once; capture, refund, void and issue card are accepted (202) and completed later, reported by signed webhook.
/// </summary>
internal static class ProcessorApi
{
    public static RouteGroupBuilder MapProcessorApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(SimControlPaths.Processor).WithTags("processor-sim").RequireApiKey(SimulatorCredentials.ProcessorScheme);

        group.MapPost("/authorizations", AuthorizeAsync).Accepts<AuthorizeRequest>("application/json")
            .WithSimStats(Simulators.Processor, ProcessorOperations.Authorize).RequiresIdempotencyKey().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/authorizations/{authorizationId}/captures", CaptureAsync).Accepts<AmountRequest>("application/json")
            .WithSimStats(Simulators.Processor, ProcessorOperations.Capture).RequiresIdempotencyKey().RefusesOperationsOnAuthorizations();
        group.MapPost("/authorizations/{authorizationId}/refunds", RefundAsync).Accepts<AmountRequest>("application/json")
            .WithSimStats(Simulators.Processor, ProcessorOperations.Refund).RequiresIdempotencyKey().RefusesOperationsOnAuthorizations();
        group.MapPost("/authorizations/{authorizationId}/void", VoidAsync)
            .WithSimStats(Simulators.Processor, ProcessorOperations.Void).RequiresIdempotencyKey().RefusesOperationsOnAuthorizations();
        // A reversal is a void by another name in most processors' vocabularies.
        group.MapPost("/authorizations/{authorizationId}/reversal", VoidAsync).WithOperationId("Reverse")
            .WithSimStats(Simulators.Processor, ProcessorOperations.Void).RequiresIdempotencyKey().RefusesOperationsOnAuthorizations();
        group.MapPost("/cards", IssueCardAsync).Accepts<IssueCardRequest>("application/json")
            .WithSimStats(Simulators.Processor, ProcessorOperations.IssueCard).RequiresIdempotencyKey().ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/authorizations", ListAuthorizationsAsync);
        group.MapGet("/authorizations/{authorizationId}", GetAuthorizationAsync);
        group.MapGet("/operations", ListOperationsAsync);
        group.MapGet("/operations/{operationId}", GetOperationAsync);
        group.MapGet("/cards", ListCardsAsync);
        group.MapGet("/cards/{cardToken}", GetCardAsync);

        group.MapPut("/webhook-endpoint", PutWebhookEndpointAsync);
        group.MapGet("/webhook-endpoint", GetWebhookEndpointAsync);
        group.MapGet("/webhooks", ListWebhooksAsync);
        group.MapPost("/webhooks/{webhookId}/replay", ReplayWebhookAsync);
        return group;
    }

    /// <summary>Authorizes a card payment at once: approved (possibly partially) or declined with an ISO 8583 code.</summary>
    public static async Task<Results<Ok<AuthorizationResponse>, ProblemHttpResult, ValidationProblem>> AuthorizeAsync(
        HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await RunAsync(http, s, ProcessorOperations.Authorize, "authorize", ProcessorJsonContext.Default.AuthorizeRequest,
            ProcessorJsonContext.Default.AuthorizationResponse, ValidateAuthorize,
            (request, header) => MagicAmounts.Apply(header, request.Amount),
            (request, ctx, connection, tx) => s.Ledger.AuthorizeAsync(request, ctx, connection, tx));
        if (outcome.Body is { } body)
        {
            http.Items[SimulatorBehaviour.OutcomeItem] = body.ResponseCode;
            return TypedResults.Ok(body);
        }
        return Failure<Ok<AuthorizationResponse>, AuthorizationResponse>(outcome);
    }

    /// <summary>Captures an authorization, in full or partly; accepted now, completed later and reported by webhook.</summary>
    public static async Task<Results<Accepted<OperationResponse>, ProblemHttpResult, ValidationProblem>> CaptureAsync(
        string authorizationId, HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await RunAsync(http, s, ProcessorOperations.Capture, "capture:" + authorizationId, ProcessorJsonContext.Default.AmountRequest,
            ProcessorJsonContext.Default.OperationResponse, ValidateAmount, null,
            (request, ctx, connection, tx) => s.Ledger.CaptureAsync(authorizationId, request.Amount, ctx, connection, tx));
        return outcome.Body is { } body ? TypedResults.Accepted($"/processor/v1/operations/{body.OperationId}", body) : Failure<Accepted<OperationResponse>, OperationResponse>(outcome);
    }

    /// <summary>Refunds a captured authorization, in full or partly; accepted now, completed later and reported by webhook.</summary>
    public static async Task<Results<Accepted<OperationResponse>, ProblemHttpResult, ValidationProblem>> RefundAsync(
        string authorizationId, HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await RunAsync(http, s, ProcessorOperations.Refund, "refund:" + authorizationId, ProcessorJsonContext.Default.AmountRequest,
            ProcessorJsonContext.Default.OperationResponse, ValidateAmount, null,
            (request, ctx, connection, tx) => s.Ledger.RefundAsync(authorizationId, request.Amount, ctx, connection, tx));
        return outcome.Body is { } body ? TypedResults.Accepted($"/processor/v1/operations/{body.OperationId}", body) : Failure<Accepted<OperationResponse>, OperationResponse>(outcome);
    }

    /// <summary>Voids (reverses) what is still held of an authorization; accepted now, completed later and reported by webhook.</summary>
    public static async Task<Results<Accepted<OperationResponse>, ProblemHttpResult, ValidationProblem>> VoidAsync(
        string authorizationId, HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await RunAsync(http, s, ProcessorOperations.Void, "void:" + authorizationId, ProcessorJsonContext.Default.AmountRequest,
            ProcessorJsonContext.Default.OperationResponse, _ => [], null,
            (_, ctx, connection, tx) => s.Ledger.VoidAsync(authorizationId, ctx, connection, tx));
        return outcome.Body is { } body ? TypedResults.Accepted($"/processor/v1/operations/{body.OperationId}", body) : Failure<Accepted<OperationResponse>, OperationResponse>(outcome);
    }

    /// <summary>Issues a virtual or physical card; the number and CVV are in this answer, activation is reported by webhook.</summary>
    public static async Task<Results<Accepted<IssuedCardResponse>, ProblemHttpResult, ValidationProblem>> IssueCardAsync(
        HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await RunAsync(http, s, ProcessorOperations.IssueCard, "issue-card", ProcessorJsonContext.Default.IssueCardRequest,
            ProcessorJsonContext.Default.IssuedCardResponse, ValidateIssueCard, null,
            (request, ctx, connection, tx) => s.Ledger.IssueCardAsync(request, ctx, connection, tx));
        if (outcome.Body is not { } body) return Failure<Accepted<IssuedCardResponse>, IssuedCardResponse>(outcome);
        // The full number and CVV are told once, in the answer to the request that issued the card, as a real processor
        // does: the stored answer never holds them, and a replay of the key (by the platform after a lost answer, or by
        // anyone who learnt a card's reference) answers without them.
        if (outcome.Replayed) return TypedResults.Accepted($"/processor/v1/cards/{body.CardToken}", body);
        var (pan, cvv) = CardNumbers.Derive(body.CardToken, s.Options.Value.WebhookSecret);
        return TypedResults.Accepted($"/processor/v1/cards/{body.CardToken}", body with { Pan = pan, Cvv = cvv });
    }

    /// <summary>An unknown authorization (404), one in the wrong state (409), an amount beyond what remains or a reused key (422).</summary>
    private static RouteHandlerBuilder RefusesOperationsOnAuthorizations(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    internal sealed record OperationContext(ProcessorSettings Settings, EffectiveOperationSettings Effective, SimScenarioHeader Header, SimRandom Random, DateTimeOffset Now);

    private sealed record RunOutcome<TRes>(TRes? Body, ProblemHttpResult? Problem, ValidationProblem? Invalid = null, bool Replayed = false)
    {
        public static RunOutcome<TRes> Bad(Dictionary<string, string[]> errors) => new(default, null, TypedResults.ValidationProblem(errors));
    }

    private static Results<TOk, ProblemHttpResult, ValidationProblem> Failure<TOk, TRes>(RunOutcome<TRes> outcome) where TOk : IResult
    {
        if (outcome.Invalid is { } invalid) return invalid;
        return outcome.Problem!;
    }

    /// <summary>The steps every mutating call shares: header, key, body, behaviour, then the work under the key.</summary>
    private static async Task<RunOutcome<TRes>> RunAsync<TReq, TRes>(
        HttpContext http, ProcessorServices s, string operation, string scope,
        JsonTypeInfo<TReq> requestInfo, JsonTypeInfo<TRes> responseInfo,
        Func<TReq, Dictionary<string, string[]>> validate,
        Func<TReq, SimScenarioHeader, SimScenarioHeader>? adjustHeader,
        Func<TReq, OperationContext, NpgsqlConnection, NpgsqlTransaction, Task<WorkResult<TRes>>> work)
        where TReq : class
    {
        if (!SimScenarioHeader.TryParse(http.Request.Headers[SimScenarioHeader.Name], out var header, out var headerError))
            return RunOutcome<TRes>.Bad(new Dictionary<string, string[]> { [SimScenarioHeader.Name] = [headerError!] });
        var key = http.Request.Headers[Idempotency.HeaderName].ToString();
        if (string.IsNullOrWhiteSpace(key) || key.Length > 255)
            return RunOutcome<TRes>.Bad(new Dictionary<string, string[]> { [Idempotency.HeaderName] = ["Required on every mutating call, at most 255 characters."] });

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
            return RunOutcome<TRes>.Bad(new Dictionary<string, string[]> { [ex.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "body"] = ["Malformed JSON: " + ex.Message] });
        }
        if (bytes.Length > 0) http.Items[Journal.RequestJournal.RequestItem] = bytes;
        request ??= typeof(TReq) == typeof(AmountRequest) ? (TReq)(object)new AmountRequest(null) : null;
        if (request is null)
            return RunOutcome<TRes>.Bad(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        var errors = validate(request);
        if (errors.Count > 0) return RunOutcome<TRes>.Bad(errors);
        if (adjustHeader is not null) header = adjustHeader(request, header);

        var settings = (await s.Settings.GetCurrentAsync()).Processor;
        var effective = settings.For(operation);
        var decision = await s.Behaviour.DecideAsync(new BehaviourInputs(
            Simulators.Processor, operation, settings.Seed, settings.Version, effective.ErrorRate, effective.TimeoutRate,
            settings.ErrorStatusCode, effective.LatencyMs, settings.FailFirstCalls, header));
        if (await s.Behaviour.PlayAsync(decision, http) is { } failure) return new(default, failure);

        var context = new OperationContext(settings, effective, header, decision.Random, s.Time.GetUtcNow());
        // Not tied to the caller: an operation that has started completes and is recorded even if the caller gave up.
        var result = await s.Idempotency.RunAsync(scope, key, Idempotency.Hash(scope, bytes), responseInfo,
            (connection, tx) => work(request, context, connection, tx), CancellationToken.None);
        var replayed = result.Outcome == IdempotencyOutcome.Replayed;
        // Authorizations complete in their own request; everything else is an operation for the completer.
        if (!replayed && result.Body is not null && operation != ProcessorOperations.Authorize) s.Work.OperationsAccepted.Wake();
        if (replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        return new(result.Body, result.Problem, Replayed: replayed);
    }

    private static Dictionary<string, string[]> ValidateAuthorize(AuthorizeRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.CardToken) || r.CardToken.Length > 64) errors["cardToken"] = ["Required, at most 64 characters."];
        if (r.Amount <= 0) errors["amount"] = ["Must be a positive number of minor units."];
        if (r.Currency is null || r.Currency.Length != 3 || !r.Currency.All(char.IsAsciiLetterUpper)) errors["currency"] = ["Must be an ISO 4217 code such as USD."];
        if (r.Merchant is null) errors["merchant"] = ["Required."];
        else
        {
            if (string.IsNullOrWhiteSpace(r.Merchant.Name) || r.Merchant.Name.Length > 100) errors["merchant.name"] = ["Required, at most 100 characters."];
            if (r.Merchant.Mcc is null || r.Merchant.Mcc.Length != 4 || !r.Merchant.Mcc.All(char.IsAsciiDigit)) errors["merchant.mcc"] = ["Must be a 4-digit merchant category code."];
            if (r.Merchant.Country is null || r.Merchant.Country.Length != 2 || !r.Merchant.Country.All(char.IsAsciiLetterUpper)) errors["merchant.country"] = ["Must be an ISO 3166-1 alpha-2 code such as US."];
        }
        return errors;
    }

    private static Dictionary<string, string[]> ValidateAmount(AmountRequest r) =>
        r.Amount is <= 0 ? new() { ["amount"] = ["Must be a positive number of minor units, or omitted for the whole remaining amount."] } : [];

    private static Dictionary<string, string[]> ValidateIssueCard(IssueCardRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Type is not ("virtual" or "physical")) errors["type"] = ["Must be virtual or physical."];
        if (string.IsNullOrWhiteSpace(r.CardholderName) || r.CardholderName.Length > 26) errors["cardholderName"] = ["Required, at most 26 characters (embossing limit)."];
        if (r.Reference is { Length: > 100 }) errors["reference"] = ["At most 100 characters."];
        return errors;
    }

    /// <summary>Lists the processor's authorizations, newest first, optionally for one card or time window (for reconciliation).</summary>
    public static async Task<Ok<IReadOnlyList<AuthorizationRecord>>> ListAuthorizationsAsync(
        ProcessorLedger ledger, DateTimeOffset? from, DateTimeOffset? to, string? cardToken, string? startingAfter, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ledger.ListAuthorizationsAsync(from, to, cardToken, startingAfter, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Reads one authorization as the processor records it.</summary>
    public static async Task<Results<Ok<AuthorizationRecord>, NotFound>> GetAuthorizationAsync(string authorizationId, ProcessorLedger ledger, CancellationToken cancellationToken) =>
        await ledger.GetAuthorizationAsync(authorizationId, cancellationToken) is { } record ? TypedResults.Ok(record) : TypedResults.NotFound();

    /// <summary>Lists the processor's captures, refunds, voids and card issues, newest first.</summary>
    public static async Task<Ok<IReadOnlyList<OperationResponse>>> ListOperationsAsync(
        ProcessorLedger ledger, string? kind, string? status, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ledger.ListOperationsAsync(kind, status, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Reads one capture, refund, void or card issue and its status.</summary>
    public static async Task<Results<Ok<OperationResponse>, NotFound>> GetOperationAsync(string operationId, ProcessorLedger ledger, CancellationToken cancellationToken) =>
        await ledger.GetOperationAsync(operationId, cancellationToken) is { } op ? TypedResults.Ok(op) : TypedResults.NotFound();

    /// <summary>Lists the cards the processor has issued (without numbers).</summary>
    public static async Task<Ok<IReadOnlyList<CardResponse>>> ListCardsAsync(ProcessorLedger ledger, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ledger.ListCardsAsync(Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Reads one issued card by its token (without its number).</summary>
    public static async Task<Results<Ok<CardResponse>, NotFound>> GetCardAsync(string cardToken, ProcessorLedger ledger, CancellationToken cancellationToken) =>
        await ledger.GetCardAsync(cardToken, cancellationToken) is { } card ? TypedResults.Ok(card) : TypedResults.NotFound();

    /// <summary>Registers the URL the processor delivers its signed webhooks to.</summary>
    public static async Task<Results<Ok<WebhookEndpointResponse>, ValidationProblem>> PutWebhookEndpointAsync(
        WebhookEndpointRequest request, ProcessorLedger ledger, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["Must be an absolute http or https URL."] });
        return TypedResults.Ok(await ledger.SetWebhookEndpointAsync(uri.ToString(), cancellationToken));
    }

    /// <summary>Reads the registered webhook URL.</summary>
    public static async Task<Results<Ok<WebhookEndpointResponse>, NotFound>> GetWebhookEndpointAsync(ProcessorLedger ledger, CancellationToken cancellationToken) =>
        await ledger.GetWebhookEndpointAsync(cancellationToken) is { } endpoint ? TypedResults.Ok(endpoint) : TypedResults.NotFound();

    /// <summary>Lists webhook deliveries, newest first, with their attempts and status.</summary>
    public static async Task<Ok<IReadOnlyList<WebhookRecord>>> ListWebhooksAsync(
        ProcessorLedger ledger, string? status, string? type, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ledger.ListWebhooksAsync(status, type, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Delivers a webhook again (the receiver must treat it as a duplicate).</summary>
    public static async Task<Results<Accepted<WebhookRecord>, NotFound>> ReplayWebhookAsync(
        string webhookId, ProcessorLedger ledger, ProcessorWork work, CancellationToken cancellationToken)
    {
        if (await ledger.ReplayWebhookAsync(webhookId, cancellationToken) is not { } webhook) return TypedResults.NotFound();
        work.WebhooksQueued.Wake();
        return TypedResults.Accepted($"/processor/v1/webhooks?type={Uri.EscapeDataString(webhook.EventType)}", webhook);
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
