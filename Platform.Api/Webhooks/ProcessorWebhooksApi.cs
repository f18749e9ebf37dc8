using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Webhooks;

internal static class ProcessorWebhooksApi
{
    public static RouteHandlerBuilder MapProcessorWebhooksApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/webhooks/processor", ReceiveAsync).WithTags("Webhooks")
            // The body is read by hand (its exact bytes are what the signature covers); Accepts describes it all the same.
            .Accepts<ProcessorWebhookEnvelope>("application/json")
            .DeclaresHeader(ProcessorWebhookSignature.TimestampHeader, "Unix seconds when the processor signed the delivery (5-minute window).", required: true)
            .DeclaresHeader(ProcessorWebhookSignature.SignatureHeader, "HMAC-SHA256 over the timestamp and the raw body with the shared webhook secret.", required: true)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>
    /// Verifies the signature over the raw body, then applies the event once. A duplicate answers 200 (already
    /// applied); an event about an operation this API has not finished recording answers 409 so the processor
    /// redelivers it shortly.
    /// </summary>
    public static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> ReceiveAsync(
        HttpContext http, ProcessorWebhookApplier applier, IOptions<ProcessorClientOptions> options, WebhookMetrics metrics, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        var o = options.Value;
        if (ProcessorWebhookSignature.Check(o.WebhookSecret, http.Request.Headers[ProcessorWebhookSignature.TimestampHeader], http.Request.Headers[ProcessorWebhookSignature.SignatureHeader],
                // The processor signs with its wall clock: compare with ours, not with the platform's business clock,
                // which QA's test clock may have moved days ahead (every webhook would then look stale and be refused).
                body, TimeProvider.System.GetUtcNow(), TimeSpan.FromSeconds(o.WebhookToleranceSeconds)) is { } failure)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhook signature rejected", detail: failure);

        ProcessorWebhookEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(body, ProcessorJsonContext.Default.ProcessorWebhookEnvelope);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: ex.Message);
        }
        if (envelope is null || string.IsNullOrEmpty(envelope.Id) || string.IsNullOrEmpty(envelope.Type))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: "id and type are required.");

        var outcome = await applier.ApplyAsync(envelope, cancellationToken);
        // Both ends of the lag are wall clocks: the processor's stamp and ours (not the test clock QA may have moved).
        metrics.Received(envelope.Type, outcome, TimeProvider.System.GetUtcNow() - envelope.CreatedAt);
        return outcome switch
        {
            WebhookOutcome.Applied or WebhookOutcome.Duplicate or WebhookOutcome.Ignored => TypedResults.Ok(new WebhookReceipt(envelope.Id, outcome.ToString().ToLowerInvariant())),
            WebhookOutcome.NotYetKnown => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not ready",
                detail: "The operation or card this event is about is not recorded here yet; deliver it again."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: "The event's data could not be read."),
        };
    }
}

public sealed record WebhookReceipt(string Id, string Outcome);
