using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Platform.Api.Integrations.Processor;

/// <summary>What came of an authorize call.</summary>
public abstract record ProcessorAuthorizeOutcome
{
    public sealed record Answered(ProcessorAuthorization Authorization) : ProcessorAuthorizeOutcome;

    /// <summary>
    /// No answer. <paramref name="MayHaveBeenProcessed"/> is true when the request may have reached the processor
    /// (a timeout): the processor may yet approve it, so a reversal must follow. False when it certainly did not
    /// count (circuit open, connection refused, a 503 or 4xx refusal).
    /// </summary>
    public sealed record NoAnswer(string Cause, bool MayHaveBeenProcessed) : ProcessorAuthorizeOutcome;
}

/// <summary>The hot-path client: one authorize call, bounded by what is left of the authorization's budget.</summary>
public sealed class ProcessorAuthorizationClient(HttpClient http)
{
    internal static readonly HttpRequestOptionsKey<TimeSpan> BudgetKey = new("processor.authorize.budget");

    public async Task<ProcessorAuthorizeOutcome> AuthorizeAsync(ProcessorAuthorizeRequest request, string idempotencyKey, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations")
        {
            Content = JsonContent.Create(request, ProcessorJsonContext.Default.ProcessorAuthorizeRequest),
        };
        message.Headers.Add("Idempotency-Key", idempotencyKey);
        message.Options.Set(BudgetKey, budget);
        try
        {
            using var response = await http.SendAsync(message, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync(ProcessorJsonContext.Default.ProcessorAuthorization, cancellationToken);
                return body is null ? new ProcessorAuthorizeOutcome.NoAnswer("empty-response", true) : new ProcessorAuthorizeOutcome.Answered(body);
            }
            // Only a 503 says the processor did not take the request (and a 4xx that it refused it). Any other 5xx, like a
            // timeout, may come after it acted — recorded the authorization, then failed to answer — so a reversal asks again.
            var status = (int)response.StatusCode;
            return new ProcessorAuthorizeOutcome.NoAnswer("status-" + status,
                response.StatusCode is HttpStatusCode.RequestTimeout || (status >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable));
        }
        catch (TimeoutRejectedException)
        {
            return new ProcessorAuthorizeOutcome.NoAnswer("timeout", true);
        }
        catch (BrokenCircuitException)
        {
            return new ProcessorAuthorizeOutcome.NoAnswer("circuit-open", false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return new ProcessorAuthorizeOutcome.NoAnswer("unreachable", false);
        }
        catch (HttpRequestException)
        {
            return new ProcessorAuthorizeOutcome.NoAnswer("transport-error", true);
        }
        catch (JsonException)
        {
            return new ProcessorAuthorizeOutcome.NoAnswer("unreadable-response", true);
        }
    }
}

/// <summary>A processor call made by background work: accepted, refused for good, or worth retrying.</summary>
public abstract record ProcessorCallResult<T>
{
    public sealed record Accepted(T Body) : ProcessorCallResult<T>;

    /// <summary>The processor said no (4xx): retrying the same request cannot change that.</summary>
    public sealed record Refused(int StatusCode, string Detail) : ProcessorCallResult<T>;

    public sealed record Transient(string Cause) : ProcessorCallResult<T>;
}

/// <summary>Capture, refund, void, issue card, webhook registration and the reads reconciliation needs.</summary>
public sealed class ProcessorOperationsClient(HttpClient http)
{
    public Task<ProcessorCallResult<ProcessorOperation>> CaptureAsync(string processorAuthorizationId, long amount, string idempotencyKey, CancellationToken cancellationToken) =>
        PostAsync($"/processor/v1/authorizations/{Uri.EscapeDataString(processorAuthorizationId)}/captures", new ProcessorAmountRequest(amount),
            ProcessorJsonContext.Default.ProcessorAmountRequest, ProcessorJsonContext.Default.ProcessorOperation, idempotencyKey, cancellationToken);

    public Task<ProcessorCallResult<ProcessorOperation>> RefundAsync(string processorAuthorizationId, long amount, string idempotencyKey, CancellationToken cancellationToken) =>
        PostAsync($"/processor/v1/authorizations/{Uri.EscapeDataString(processorAuthorizationId)}/refunds", new ProcessorAmountRequest(amount),
            ProcessorJsonContext.Default.ProcessorAmountRequest, ProcessorJsonContext.Default.ProcessorOperation, idempotencyKey, cancellationToken);

    public Task<ProcessorCallResult<ProcessorOperation>> VoidAsync(string processorAuthorizationId, string idempotencyKey, CancellationToken cancellationToken) =>
        PostAsync($"/processor/v1/authorizations/{Uri.EscapeDataString(processorAuthorizationId)}/void", new ProcessorAmountRequest(null),
            ProcessorJsonContext.Default.ProcessorAmountRequest, ProcessorJsonContext.Default.ProcessorOperation, idempotencyKey, cancellationToken);

    /// <summary>Re-sends an authorize with its original key: the processor replays what it decided, or decides now.</summary>
    public Task<ProcessorCallResult<ProcessorAuthorization>> RepeatAuthorizeAsync(ProcessorAuthorizeRequest request, string idempotencyKey, CancellationToken cancellationToken) =>
        PostAsync("/processor/v1/authorizations", request, ProcessorJsonContext.Default.ProcessorAuthorizeRequest,
            ProcessorJsonContext.Default.ProcessorAuthorization, idempotencyKey, cancellationToken);

    public Task<ProcessorCallResult<ProcessorIssuedCard>> IssueCardAsync(ProcessorIssueCardRequest request, string idempotencyKey, CancellationToken cancellationToken) =>
        PostAsync("/processor/v1/cards", request, ProcessorJsonContext.Default.ProcessorIssueCardRequest,
            ProcessorJsonContext.Default.ProcessorIssuedCard, idempotencyKey, cancellationToken);

    /// <summary>The processor's largest page; a window with more records is read page after page.</summary>
    public const int AuthorizationPageSize = 1000;

    /// <summary>Every record of the card in the window, newest first, however many pages that takes.</summary>
    public async Task<IReadOnlyList<ProcessorAuthorizationRecord>> ListAuthorizationsAsync(string cardToken, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var all = new List<ProcessorAuthorizationRecord>();
        var baseUrl = $"/processor/v1/authorizations?cardToken={Uri.EscapeDataString(cardToken)}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&limit={AuthorizationPageSize}";
        while (true)
        {
            var url = all.Count == 0 ? baseUrl : $"{baseUrl}&startingAfter={Uri.EscapeDataString(all[^1].AuthorizationId)}";
            var page = await http.GetFromJsonAsync(url, ProcessorJsonContext.Default.IReadOnlyListProcessorAuthorizationRecord, cancellationToken) ?? [];
            all.AddRange(page);
            if (page.Count < AuthorizationPageSize) return all;
        }
    }

    /// <summary>The processor's record of one authorization; null when it has none. Throws on transport errors.</summary>
    public async Task<ProcessorAuthorizationRecord?> GetAuthorizationAsync(string processorAuthorizationId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/processor/v1/authorizations/{Uri.EscapeDataString(processorAuthorizationId)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ProcessorJsonContext.Default.ProcessorAuthorizationRecord, cancellationToken);
    }

    public async Task<ProcessorCard?> GetCardAsync(string cardToken, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/processor/v1/cards/{Uri.EscapeDataString(cardToken)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ProcessorJsonContext.Default.ProcessorCard, cancellationToken);
    }

    public async Task RegisterWebhookEndpointAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync("/processor/v1/webhook-endpoint", new ProcessorWebhookEndpoint(url),
            ProcessorJsonContext.Default.ProcessorWebhookEndpoint, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task<ProcessorCallResult<TResponse>> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, requestType) };
        message.Headers.Add("Idempotency-Key", idempotencyKey);
        try
        {
            using var response = await http.SendAsync(message, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var answer = await response.Content.ReadFromJsonAsync(responseType, cancellationToken);
                return answer is null ? new ProcessorCallResult<TResponse>.Transient("empty response") : new ProcessorCallResult<TResponse>.Accepted(answer);
            }
            var status = (int)response.StatusCode;
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            return status is >= 400 and < 500 and not 408 and not 429
                ? new ProcessorCallResult<TResponse>.Refused(status, detail.Length > 500 ? detail[..500] : detail)
                : new ProcessorCallResult<TResponse>.Transient("status " + status);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or JsonException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ProcessorCallResult<TResponse>.Transient(ex.GetType().Name + ": " + ex.Message);
        }
    }
}
