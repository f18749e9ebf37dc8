using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Testing.Contracts;

/// <summary>Ways to get HTTP clients whose every exchange is held to the service's document.</summary>
public static class ContractClients
{
    /// <summary>What <c>CreateClient()</c> gives (redirects followed, cookies kept), with every exchange checked against the document.</summary>
    public static HttpClient CreateContractClient<T>(this WebApplicationFactory<T> factory) where T : class =>
        factory.CreateDefaultClient(factory.ClientOptions.BaseAddress,
            new RedirectHandler(factory.ClientOptions.MaxAutomaticRedirections), new CookieContainerHandler(), new ContractValidatingHandler(ContractSource.For(factory)));

    /// <summary>Every HTTP client the host's factory creates (the Aspire testing clients included) checks its exchanges.</summary>
    public static IServiceCollection AddContractValidation(this IServiceCollection services)
    {
        var source = new ContractSource();
        services.AddSingleton(source);
        services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler(() => new ContractValidatingHandler(source)));
        return services;
    }
}
