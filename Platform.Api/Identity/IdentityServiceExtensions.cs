using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Api.Data.IdentitySchema;
using Platform.Api.Email;
using Platform.Api.Identity;
using Platform.Api.Outbox;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class IdentityServiceExtensions
{
    /// <summary>
    /// Customers and operators: ASP.NET Core Identity with its users in Postgres (schema identity) and bearer tokens,
    /// whose data-protection keys live in Redis so that every API instance accepts every other's tokens.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PlatformIdentityOptions>().BindConfiguration(PlatformIdentityOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "Identity:PublicBaseUrl must be the API's public absolute http(s) address (links in e-mails are built from it).")
            .ValidateOnStart();
        builder.Services.AddDbContext<IdentityStore>((services, options) => options.UseIdentityStore(services.GetRequiredService<NpgsqlDataSource>()));

        builder.Services.AddIdentityApiEndpoints<IdentityUser>(options =>
            {
                options.SignIn.RequireConfirmedEmail = true;
                options.User.RequireUniqueEmail = true;
                // Length over composition (NIST SP 800-63B): twelve characters, no forced symbol.
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<IdentityStore>();
        builder.Services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme)
            .Configure<Microsoft.Extensions.Options.IOptions<PlatformIdentityOptions>>((bearer, platform) =>
            {
                bearer.BearerTokenExpiration = TimeSpan.FromMinutes(platform.Value.AccessTokenMinutes);
                bearer.RefreshTokenExpiration = TimeSpan.FromDays(platform.Value.RefreshTokenDays);
            });

        builder.Services.AddDataProtection().SetApplicationName("card-platform");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), "platform:data-protection:keys"));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PlatformPolicies.Operator, policy => policy.RequireRole(PlatformRoles.Operator));

        builder.Services.AddSingleton<IAccountContacts, IdentityAccountContacts>();
        builder.Services.AddScoped<AuthEvents>();
        builder.Services.AddScoped<IdentityMail>();
        builder.Services.AddScoped<AccountRegistration>();
        builder.Services.AddScoped<AccountManagement>();
        builder.Services.AddScoped<PasswordSignIn>();
        builder.Services.AddTransient<IOutboxHandler, DeferredIdentityMail>();
        builder.Services.AddAuthRateLimits();
        builder.Services.AddSingleton<Ownership>();
        builder.Services.AddHostedService<IdentitySeeder>();
        return builder;
    }
}
