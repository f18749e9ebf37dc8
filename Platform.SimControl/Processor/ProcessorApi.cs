using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Processor;

internal sealed record ProcessorServices(
    RedisSimulatorSettingsStore Settings,
    SimulatorBehaviour Behaviour,
    Idempotency Idempotency,
    ProcessorStore Store,
    AuthorizationWriter Authorizations,
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
        var outcome = await ProcessorRequests.RunAsync(http, s, ProcessorOperations.Authorize, "authorize", ProcessorJsonContext.Default.AuthorizeRequest,
            ProcessorRequestValidation.Authorize, (request, header) => MagicAmounts.Apply(header, request.Amount),
            (request, ctx, key) => s.Authorizations.WriteAsync(new PendingAuthorization(key, "auth_" + Guid.CreateVersion7(ctx.Now).ToString("N"), request,
                AuthorizationDecision.Decide(request.Amount, ctx.Settings, ctx.Effective, ctx.Header, ctx.Random), ctx.Now)));
        if (outcome.Body is { } body)
        {
            http.Items[SimulatorBehaviour.OutcomeItem] = body.ResponseCode;
            return TypedResults.Ok(body);
        }
        return outcome.Failure<Ok<AuthorizationResponse>>();
    }

    /// <summary>Captures an authorization, in full or partly; accepted now, completed later and reported by webhook.</summary>
    public static async Task<Results<Accepted<OperationResponse>, ProblemHttpResult, ValidationProblem>> CaptureAsync(
        string authorizationId, HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await ProcessorRequests.RunAsync(http, s, ProcessorOperations.Capture, "capture:" + authorizationId, ProcessorJsonContext.Default.AmountRequest,
            ProcessorRequestValidation.Amount, null, ProcessorRequests.InTransaction<AmountRequest, OperationResponse>(s, ProcessorJsonContext.Default.OperationResponse,
                (request, ctx, connection, tx) => s.Store.CaptureAsync(authorizationId, request.Amount, ctx, connection, tx)));
        return outcome.Body is { } body ? TypedResults.Accepted($"/processor/v1/operations/{body.OperationId}", body) : outcome.Failure<Accepted<OperationResponse>>();
    }

    /// <summary>Refunds a captured authorization, in full or partly; accepted now, completed later and reported by webhook.</summary>
    public static async Task<Results<Accepted<OperationResponse>, ProblemHttpResult, ValidationProblem>> RefundAsync(
        string authorizationId, HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await ProcessorRequests.RunAsync(http, s, ProcessorOperations.Refund, "refund:" + authorizationId, ProcessorJsonContext.Default.AmountRequest,
            ProcessorRequestValidation.Amount, null, ProcessorRequests.InTransaction<AmountRequest, OperationResponse>(s, ProcessorJsonContext.Default.OperationResponse,
                (request, ctx, connection, tx) => s.Store.RefundAsync(authorizationId, request.Amount, ctx, connection, tx)));
        return outcome.Body is { } body ? TypedResults.Accepted($"/processor/v1/operations/{body.OperationId}", body) : outcome.Failure<Accepted<OperationResponse>>();
    }

    /// <summary>Voids (reverses) what is still held of an authorization; accepted now, completed later and reported by webhook.</summary>
    public static async Task<Results<Accepted<OperationResponse>, ProblemHttpResult, ValidationProblem>> VoidAsync(
        string authorizationId, HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await ProcessorRequests.RunAsync(http, s, ProcessorOperations.Void, "void:" + authorizationId, ProcessorJsonContext.Default.AmountRequest,
            _ => [], null, ProcessorRequests.InTransaction<AmountRequest, OperationResponse>(s, ProcessorJsonContext.Default.OperationResponse,
                (_, ctx, connection, tx) => s.Store.VoidAsync(authorizationId, ctx, connection, tx)));
        return outcome.Body is { } body ? TypedResults.Accepted($"/processor/v1/operations/{body.OperationId}", body) : outcome.Failure<Accepted<OperationResponse>>();
    }

    /// <summary>Issues a virtual or physical card; the number and CVV are in this answer, activation is reported by webhook.</summary>
    public static async Task<Results<Accepted<IssuedCardResponse>, ProblemHttpResult, ValidationProblem>> IssueCardAsync(
        HttpContext http, [AsParameters] ProcessorServices s)
    {
        var outcome = await ProcessorRequests.RunAsync(http, s, ProcessorOperations.IssueCard, "issue-card", ProcessorJsonContext.Default.IssueCardRequest,
            ProcessorRequestValidation.IssueCard, null, ProcessorRequests.InTransaction<IssueCardRequest, IssuedCardResponse>(s, ProcessorJsonContext.Default.IssuedCardResponse,
                (request, ctx, connection, tx) => s.Store.IssueCardAsync(request, ctx, connection, tx)));
        if (outcome.Body is not { } body) return outcome.Failure<Accepted<IssuedCardResponse>>();
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

    /// <summary>Lists the processor's authorizations, newest first, optionally for one card or time window (for reconciliation).</summary>
    public static async Task<Ok<IReadOnlyList<AuthorizationRecord>>> ListAuthorizationsAsync(
        ProcessorQueries queries, DateTimeOffset? from, DateTimeOffset? to, string? cardToken, string? startingAfter, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAuthorizationsAsync(from, to, cardToken, startingAfter, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Reads one authorization as the processor records it.</summary>
    public static async Task<Results<Ok<AuthorizationRecord>, NotFound>> GetAuthorizationAsync(string authorizationId, ProcessorQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAuthorizationAsync(authorizationId, cancellationToken) is { } record ? TypedResults.Ok(record) : TypedResults.NotFound();

    /// <summary>Lists the processor's captures, refunds, voids and card issues, newest first.</summary>
    public static async Task<Ok<IReadOnlyList<OperationResponse>>> ListOperationsAsync(
        ProcessorQueries queries, string? kind, string? status, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListOperationsAsync(kind, status, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Reads one capture, refund, void or card issue and its status.</summary>
    public static async Task<Results<Ok<OperationResponse>, NotFound>> GetOperationAsync(string operationId, ProcessorQueries queries, CancellationToken cancellationToken) =>
        await queries.GetOperationAsync(operationId, cancellationToken) is { } op ? TypedResults.Ok(op) : TypedResults.NotFound();

    /// <summary>Lists the cards the processor has issued (without numbers).</summary>
    public static async Task<Ok<IReadOnlyList<CardResponse>>> ListCardsAsync(ProcessorQueries queries, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListCardsAsync(Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Reads one issued card by its token (without its number).</summary>
    public static async Task<Results<Ok<CardResponse>, NotFound>> GetCardAsync(string cardToken, ProcessorQueries queries, CancellationToken cancellationToken) =>
        await queries.GetCardAsync(cardToken, cancellationToken) is { } card ? TypedResults.Ok(card) : TypedResults.NotFound();

    /// <summary>Registers the URL the processor delivers its signed webhooks to.</summary>
    public static async Task<Results<Ok<WebhookEndpointResponse>, ValidationProblem>> PutWebhookEndpointAsync(
        WebhookEndpointRequest request, WebhookEndpointStore endpoints, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["Must be an absolute http or https URL."] });
        return TypedResults.Ok(await endpoints.SetAsync(uri.ToString(), cancellationToken));
    }

    /// <summary>Reads the registered webhook URL.</summary>
    public static async Task<Results<Ok<WebhookEndpointResponse>, NotFound>> GetWebhookEndpointAsync(WebhookEndpointStore endpoints, CancellationToken cancellationToken) =>
        await endpoints.GetAsync(cancellationToken) is { } endpoint ? TypedResults.Ok(endpoint) : TypedResults.NotFound();

    /// <summary>Lists webhook deliveries, newest first, with their attempts and status.</summary>
    public static async Task<Ok<IReadOnlyList<WebhookRecord>>> ListWebhooksAsync(
        ProcessorQueries queries, string? status, string? type, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListWebhooksAsync(status, type, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken));

    /// <summary>Delivers a webhook again (the receiver must treat it as a duplicate).</summary>
    public static async Task<Results<Accepted<WebhookRecord>, NotFound>> ReplayWebhookAsync(
        string webhookId, WebhookOutbox outbox, ProcessorWork work, CancellationToken cancellationToken)
    {
        if (await outbox.ReplayAsync(webhookId, cancellationToken) is not { } webhook) return TypedResults.NotFound();
        work.WebhooksQueued.Wake();
        return TypedResults.Accepted($"/processor/v1/webhooks?type={Uri.EscapeDataString(webhook.EventType)}", webhook);
    }
}
