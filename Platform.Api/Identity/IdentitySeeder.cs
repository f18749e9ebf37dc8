using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Platform.Api.Identity;

/// <summary>
/// Creates the two roles, and in Development the operator account from configuration. Runs after the migrations
/// (registered after them), on every instance; creating what already exists is skipped, and a race between instances
/// ends in a unique-index refusal that is ignored.
/// </summary>
internal sealed partial class IdentitySeeder(IServiceProvider services, IHostEnvironment environment, IOptions<PlatformIdentityOptions> options, ILogger<IdentitySeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in new[] { PlatformRoles.Customer, PlatformRoles.Operator })
        {
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
        }

        var op = options.Value.Operator;
        if (!environment.IsDevelopment() || string.IsNullOrWhiteSpace(op.Email) || string.IsNullOrWhiteSpace(op.Password)) return;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByEmailAsync(op.Email);
        if (user is null)
        {
            user = new IdentityUser { UserName = op.Email, Email = op.Email, EmailConfirmed = true };
            var created = await users.CreateAsync(user, op.Password);
            if (!created.Succeeded)
            {
                LogSeedFailed(logger, string.Join("; ", created.Errors.Select(e => e.Code)));
                return;
            }
        }
        else if (!await users.CheckPasswordAsync(user, op.Password))
        {
            // The configured password is the source of truth for the seeded operator in Development.
            var token = await users.GeneratePasswordResetTokenAsync(user);
            await users.ResetPasswordAsync(user, token, op.Password);
        }
        if (!await users.IsInRoleAsync(user, PlatformRoles.Operator)) await users.AddToRoleAsync(user, PlatformRoles.Operator);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Seeding the Development operator failed: {Errors}")]
    private static partial void LogSeedFailed(ILogger logger, string errors);
}
