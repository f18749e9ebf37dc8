using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Platform.Api.Identity;

/// <summary>Settings under <c>RateLimits:Auth</c>: how many sign-up and sign-in requests a minute are allowed.</summary>
public sealed class AuthRateLimitOptions
{
    public const string Section = "RateLimits:Auth";

    /// <summary>Per client IP address, across every address it tries (credential stuffing, enumeration).</summary>
    [Range(1, 1_000_000)]
    public int PerClientPerMinute { get; set; } = 300;

    /// <summary>Per e-mail address, from anywhere (guessing one customer's password; locking them out on purpose).</summary>
    [Range(1, 1_000_000)]
    public int PerAddressPerMinute { get; set; } = 10;
}

/// <summary>
/// ASP.NET Core's rate limiter on <c>/v1/auth</c>, keyed twice: by the client's IP address (the named policy) and by
/// the e-mail address the request is about (the global limiter, for endpoints under the policy). A refused request
/// gets a 429 problem with <c>Retry-After</c> at once, before any password is hashed. Windows are per API instance.
/// </summary>
internal static class AuthRateLimits
{
    public const string Policy = "auth";
    private const string AddressItem = "platform.auth.address";
    private const int LargestBodyRead = 16 * 1024;

    public static IServiceCollection AddAuthRateLimits(this IServiceCollection services)
    {
        services.AddOptions<AuthRateLimitOptions>().BindConfiguration(AuthRateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRejectedAsync;
            options.AddPolicy(Policy, http => FixedWindow("client:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                Limits(http).PerClientPerMinute));
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Items[AddressItem] is string address && UnderPolicy(http)
                    ? FixedWindow("address:" + address, Limits(http).PerAddressPerMinute)
                    : RateLimitPartition.GetNoLimiter(""));
        });
        return services;
    }

    /// <summary>Reads the address a sign-up or sign-in body names, so the limiter can count by it; then the rate limiter.</summary>
    public static WebApplication UseAuthRateLimits(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (HttpMethods.IsPost(http.Request.Method) && UnderPolicy(http) && await ReadAddressAsync(http.Request) is { } address)
                http.Items[AddressItem] = address;
            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    private static bool UnderPolicy(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == Policy;

    private static AuthRateLimitOptions Limits(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<AuthRateLimitOptions>>().Value;

    private static RateLimitPartition<string> FixedWindow(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>The body's <c>email</c>, upper-cased; null when there is none or the body is not small JSON (the binder then answers).</summary>
    private static async Task<string?> ReadAddressAsync(HttpRequest request)
    {
        if (request.ContentLength is > LargestBodyRead || request.HasJsonContentType() is false) return null;
        request.EnableBuffering(LargestBodyRead);
        try
        {
            var buffer = new byte[LargestBodyRead];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted)) > 0) length += read;
            return AddressIn(buffer.AsSpan(0, length));
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private static string? AddressIn(ReadOnlySpan<byte> json)
    {
        try
        {
            // As the binder reads it: property names in any case, and the last of repeated ones wins.
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            string? address = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isEmail = string.Equals(reader.GetString(), "email", StringComparison.OrdinalIgnoreCase);
                if (!reader.Read()) return address;
                if (isEmail && reader.TokenType == JsonTokenType.String) address = reader.GetString()?.Trim().ToUpperInvariant();
                else reader.Skip();
            }
            return address;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }
        return null;
    }

    private static async ValueTask WriteRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = "Too many sign-up or sign-in requests; try again after the number of seconds in Retry-After.",
            },
        });
    }
}
