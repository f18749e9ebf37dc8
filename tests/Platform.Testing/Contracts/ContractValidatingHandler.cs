using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Platform.Testing.Contracts;

/// <summary>
/// The services' documents, fetched once per origin from the service itself (<c>/openapi/v1.json</c>): the contract a
/// test is held to is the one the code under test publishes, and the committed copy is compared with it separately.
/// </summary>
public sealed class ContractSource
{
    public const string DocumentPath = "/openapi/v1.json";

    private static readonly ConditionalWeakTable<object, ContractSource> Owned = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<ServiceContract?>>> byOrigin = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>One source per in-process server (they all answer on http://localhost, so origins cannot tell them apart).</summary>
    public static ContractSource For(object server) => Owned.GetValue(server, _ => new ContractSource());

    public Task<ServiceContract?> GetAsync(string origin, Func<CancellationToken, Task<string?>> fetch, CancellationToken cancellationToken)
    {
        var lazy = byOrigin.GetOrAdd(origin, _ => new Lazy<Task<ServiceContract?>>(async () =>
            await fetch(CancellationToken.None) is { } json ? ServiceContract.Parse(json) : null));
        return lazy.Value.WaitAsync(cancellationToken);
    }
}

/// <summary>
/// Holds every exchange of the client it is installed in to the service's OpenAPI document: a request that breaks it is
/// not sent, a response that breaks it is not returned; either throws <see cref="ContractViolationException"/> naming the
/// path and the rule. Bad-input tests opt out for their requests (<see cref="ContractValidation"/>); responses are always checked.
/// </summary>
public sealed class ContractValidatingHandler(ContractSource source) : DelegatingHandler
{
    /// <summary>Service plumbing outside the published API: probes and the document itself.</summary>
    private static readonly string[] OutsideTheContract = [ContractSource.DocumentPath, "/health", "/alive"];

    /// <summary>Service-to-service endpoints the services keep out of their public documents on purpose.</summary>
    private const string InternalPrefix = "/internal/";

    public ContractValidatingHandler(ContractSource source, HttpMessageHandler inner) : this(source) => InnerHandler = inner;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("A request without a URI.");
        if (OutsideTheContract.Any(p => uri.AbsolutePath.Equals(p, StringComparison.OrdinalIgnoreCase))
            || uri.AbsolutePath.StartsWith(InternalPrefix, StringComparison.OrdinalIgnoreCase))
            return await base.SendAsync(request, cancellationToken);
        var origin = uri.GetLeftPart(UriPartial.Authority);
        if (await source.GetAsync(origin, token => FetchDocumentAsync(origin, token), cancellationToken) is not { } contract)
            return await base.SendAsync(request, cancellationToken);

        OperationMatch? match;
        if (ContractValidation.IsRequestCheckSkipped(request))
        {
            match = contract.Find(request.Method, uri.AbsolutePath);
        }
        else
        {
            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var requestViolations = ExchangeChecks.Request(contract, request.Method, uri, request.Headers, request.Content?.Headers.ContentType, body, out match);
            if (requestViolations.Count > 0) throw new ContractViolationException(requestViolations);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (match is null) return response;
        var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var responseViolations = ExchangeChecks.Response(contract, match, (int)response.StatusCode, response.Content.Headers.ContentType, responseBody);
        if (responseViolations.Count > 0)
        {
            response.Dispose();
            throw new ContractViolationException(responseViolations);
        }
        return response;
    }

    private async Task<string?> FetchDocumentAsync(string origin, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, origin + ContractSource.DocumentPath);
        using var response = await base.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
    }
}
