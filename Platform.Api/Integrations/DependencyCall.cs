using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Platform.Api.Integrations;

/// <summary>A dependency's answer, or the cause it gave none ("timeout", "circuit-open", "status-503" …).</summary>
internal readonly record struct DependencyAnswer<T>(T? Body, string? UnavailableCause) where T : class;

/// <summary>
/// How the API reads a dependency whose absence it can live with (fraud, bureau): a late, failing or unreachable
/// dependency becomes a cause for the caller's fallback, while a 4xx refusal — a bug on this side that no fallback
/// should hide — is thrown as the exception the caller makes of it.
/// </summary>
internal static class DependencyCall
{
    public static async Task<DependencyAnswer<T>> SendAsync<T>(HttpClient http, HttpRequestMessage request, JsonTypeInfo<T> responseType,
        Func<int, string, Exception> rejected, CancellationToken cancellationToken) where T : class
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync(responseType, cancellationToken);
                return body is not null ? new(body, null) : new(null, "empty-response");
            }
            if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                throw rejected((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
            return new(null, "status-" + (int)response.StatusCode);
        }
        catch (TimeoutRejectedException)
        {
            return new(null, "timeout");
        }
        catch (BrokenCircuitException)
        {
            return new(null, "circuit-open");
        }
        catch (HttpRequestException)
        {
            return new(null, "unreachable");
        }
        catch (JsonException)
        {
            return new(null, "unreadable-response");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(null, "timeout");
        }
    }
}
