using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.SimControl.Tests;

/// <summary>Calls to the simulators the way the platform's clients make them.</summary>
internal static class Sim
{
    public static object Authorization(long amount = 1000, string cardToken = "card_test") =>
        new { cardToken, amount, currency = "USD", merchant = new { name = "Corner Shop", mcc = "5411", country = "US" } };

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object? body, string? idempotencyKey = null, string? scenario = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString("N"));
        if (scenario is not null) request.Headers.Add("X-Sim-Scenario", scenario);
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> AuthorizeAsync(HttpClient client, long amount = 1000, string? scenario = null, string? key = null)
    {
        using var response = await PostAsync(client, "/processor/v1/authorizations", Authorization(amount), key, scenario);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    public static object Applicant(string ssn, string inquiryType) => new
    {
        applicant = new
        {
            firstName = "Pat", lastName = "Example", ssn, dateOfBirth = "1985-04-12",
            address = new { line1 = "1 Main St", city = "Springfield", state = "IL", postalCode = "62701" },
        },
        inquiryType,
    };

    public static async Task<JsonElement> CreditReportAsync(HttpClient client, string ssn, string inquiryType = "soft", string? scenario = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bureau/v1/credit-reports") { Content = JsonContent.Create(Applicant(ssn, inquiryType)) };
        if (scenario is not null) request.Headers.Add("X-Sim-Scenario", scenario);
        using var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Runs <paramref name="count"/> calls, <paramref name="parallelism"/> at a time.</summary>
    public static async Task<List<T>> ManyAsync<T>(int count, int parallelism, Func<int, Task<T>> call)
    {
        var results = new T[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, _) => results[i] = await call(i));
        return [.. results];
    }
}
