namespace Platform.Testing.Contracts;

/// <summary>
/// The one way out of request validation, for tests whose point is to send what the contract forbids (bad input,
/// hostile callers). Responses are always checked: a malformed request must still get a documented answer.
/// </summary>
public static class ContractValidation
{
    private static readonly AsyncLocal<int> InvalidRequestScopes = new();

    /// <summary>Set on one request to send it unchecked.</summary>
    public static readonly HttpRequestOptionsKey<bool> InvalidRequestOption = new("Platform.Contract.InvalidRequest");

    /// <summary>Requests sent inside the returned scope (on this async flow) are not checked against the document.</summary>
    public static IDisposable AllowInvalidRequests()
    {
        InvalidRequestScopes.Value++;
        return new Scope();
    }

    /// <summary>Marks one request as deliberately breaking the contract.</summary>
    public static HttpRequestMessage AsInvalidRequest(this HttpRequestMessage request)
    {
        request.Options.Set(InvalidRequestOption, true);
        return request;
    }

    internal static bool IsRequestCheckSkipped(HttpRequestMessage request) =>
        InvalidRequestScopes.Value > 0 || (request.Options.TryGetValue(InvalidRequestOption, out var skip) && skip);

    private sealed class Scope : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            InvalidRequestScopes.Value--;
        }
    }
}
