using Dapper;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Platform.Api.Identity;

/// <summary>
/// Makes sure one data-protection key is shared, creates the two roles, and in Development the operator account from configuration. Runs after the migrations
/// (registered after them), on every instance, one instance at a time (an advisory lock), so replicas starting
/// together never race to create the same role.
/// </summary>
internal sealed partial class IdentitySeeder(IServiceProvider services, IHostEnvironment environment, IOptions<PlatformIdentityOptions> options, ILogger<IdentitySeeder> logger) : IHostedService
{
    // "SEEDID" in ASCII: one instance seeds at a time; the others wait, then find everything there.
    private const long SeedLockKey = 0x534545444944;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxAttempts = 30;

    /// <summary>
    /// Like the migrations before it, tries again while the database is restarting: an instance starting at that moment
    /// would otherwise die of it (the chaos run restarted PostgreSQL while a replica was starting, and the replica exited).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SeedUnderLockAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsTransient(ex))
            {
                LogRetrying(logger, attempt, ex.Message);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    /// <summary>Npgsql's own verdict, also when EF Core (Identity's stores) wraps it.</summary>
    private static bool IsTransient(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is NpgsqlException { IsTransient: true }) return true;
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable for identity seeding (attempt {Attempt}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason);

    private async Task SeedUnderLockAsync(CancellationToken cancellationToken)
    {
        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@key)", new { key = SeedLockKey }, cancellationToken: cancellationToken));
        try
        {
            EnsureSharedSigningKey();
            await SeedAsync(cancellationToken);
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@key)", new { key = SeedLockKey }));
        }
    }

    /// <summary>
    /// Replicas starting together on an empty Redis would each make a data-protection key of their own and refuse each
    /// other's tokens until they reload; under the lock, the first makes the one key and the rest find it.
    /// </summary>
    private void EnsureSharedSigningKey()
    {
        var keys = services.GetRequiredService<IKeyManager>();
        var now = DateTimeOffset.UtcNow;
        try
        {
            if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now.AddDays(2)))
                keys.CreateNewKey(now, now.AddDays(90));
        }
        catch (StackExchange.Redis.RedisException ex)
        {
            // Redis is down: the API still starts (and reports unhealthy); data protection makes its key when Redis is back.
            LogKeyRingUnavailable(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reach the shared data-protection key ring; sign-in waits for Redis")]
    private static partial void LogKeyRingUnavailable(ILogger logger, Exception exception);

    private async Task SeedAsync(CancellationToken cancellationToken)
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
