using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Email;

namespace Platform.Api.Identity;

/// <summary>
/// Watches Identity's endpoints and records what each one did on the audit spine (with the origin IP and the outcome),
/// and does the little that follows a successful step: a new customer gets the customer role, a sign-in from an unknown
/// device or a password change sends a security alert. A failed sign-in for an unknown e-mail is recorded like any
/// other failure; Identity already answers it exactly like a wrong password.
/// </summary>
internal sealed class AuthEvents(
    UserManager<IdentityUser> users, IAuditTrail audit, IEmailOutbox emails, NpgsqlDataSource dataSource,
    IOptionsMonitor<BearerTokenOptions> bearerOptions, TimeProvider time)
{
    /// <summary>
    /// Before a sign-in runs: whether the user was already locked out (only knowable now). For an unknown address it
    /// spends the time a password check takes, because Identity answers unknown addresses without hashing and the
    /// quicker answer would tell an attacker which addresses have accounts.
    /// </summary>
    public async Task<bool> WasLockedOutAsync(EndpointFilterInvocationContext context)
    {
        if (context.HttpContext.Request.Path.Value?.EndsWith("/login", StringComparison.Ordinal) != true || Argument<LoginRequest>(context) is not { } login)
            return false;
        if (await users.FindByEmailAsync(login.Email) is { } user) return await users.IsLockedOutAsync(user);
        users.PasswordHasher.VerifyHashedPassword(TimingDummy, TimingDummyHash.Value, login.Password ?? "");
        return false;
    }

    private static readonly IdentityUser TimingDummy = new("timing-dummy");
    private static readonly Lazy<string> TimingDummyHash = new(() => new PasswordHasher<IdentityUser>().HashPassword(TimingDummy, Guid.NewGuid().ToString()));

    public async Task AfterAsync(EndpointFilterInvocationContext context, object? result, bool wasLockedOut)
    {
        var http = context.HttpContext;
        // Identity's handlers return Results<…> unions, and the filter sees them before they run: the outcome is read
        // from the result inside (a challenge is a refusal, a sign-in or an already written token a success).
        while (result is INestedHttpResult nested) result = nested.Result;
        var status = result switch
        {
            IStatusCodeHttpResult { StatusCode: { } code } => code,
            ChallengeHttpResult => StatusCodes.Status401Unauthorized,
            ForbidHttpResult => StatusCodes.Status403Forbidden,
            _ => http.Response.StatusCode,
        };
        var succeeded = status is >= 200 and < 300;
        var path = http.Request.Path.Value ?? "";
        var origin = new AuditOrigin(http.Connection.RemoteIpAddress?.ToString(), null);

        if (path.EndsWith("/register", StringComparison.Ordinal) && Argument<RegisterRequest>(context) is { } register)
        {
            var user = succeeded ? await users.FindByEmailAsync(register.Email) : null;
            if (user is not null) await users.AddToRoleAsync(user, PlatformRoles.Customer);
            await AppendAsync("auth.registered", user?.Id, register.Email, succeeded, origin, null);
        }
        else if (path.EndsWith("/login", StringComparison.Ordinal) && Argument<LoginRequest>(context) is { } login)
        {
            var user = await users.FindByEmailAsync(login.Email);
            var detail = (result as ProblemHttpResult)?.ProblemDetails.Detail;
            string? device = null;
            if (succeeded && user is not null) device = await RecordDeviceAndAlertAsync(user, http, origin);
            await AppendAsync("auth.login", user?.Id, login.Email, succeeded, origin, new() { ["failure"] = succeeded ? null : detail, ["newDevice"] = device is not null });
            if (!succeeded && user is not null && !wasLockedOut && await users.IsLockedOutAsync(user))
                await AppendAsync("auth.lockout", user.Id, login.Email, true, origin, new() { ["until"] = await users.GetLockoutEndDateAsync(user) });
        }
        else if (path.EndsWith("/refresh", StringComparison.Ordinal) && Argument<RefreshRequest>(context) is { } refresh)
        {
            var ticket = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(refresh.RefreshToken);
            await AppendAsync("auth.token_refreshed", ticket?.Principal.UserId(), null, succeeded, origin, null);
        }
        else if (path.EndsWith("/confirmEmail", StringComparison.Ordinal))
        {
            var userId = http.Request.Query["userId"].ToString();
            await AppendAsync("auth.email_confirmed", string.IsNullOrEmpty(userId) ? null : userId, null, succeeded, origin, null);
        }
        else if (path.EndsWith("/forgotPassword", StringComparison.Ordinal) && Argument<ForgotPasswordRequest>(context) is { } forgot)
        {
            var user = await users.FindByEmailAsync(forgot.Email);
            await AppendAsync("auth.password_reset_requested", user?.Id, forgot.Email, succeeded, origin, null);
        }
        else if (path.EndsWith("/resetPassword", StringComparison.Ordinal) && Argument<ResetPasswordRequest>(context) is { } reset)
        {
            var user = await users.FindByEmailAsync(reset.Email);
            await AppendAsync("auth.password_reset", user?.Id, reset.Email, succeeded, origin, null);
            if (succeeded && user is not null) await SecurityAlertAsync(user, SecurityAlertKinds.PasswordChanged, http, origin);
        }
        else if (path.EndsWith("/manage/info", StringComparison.Ordinal) && HttpMethods.IsPost(http.Request.Method)
                 && Argument<InfoRequest>(context) is { NewPassword: { Length: > 0 } })
        {
            var user = await users.GetUserAsync(http.User);
            await AppendAsync("auth.password_changed", user?.Id ?? http.User.UserId(), user?.Email, succeeded, origin, null);
            if (succeeded && user is not null) await SecurityAlertAsync(user, SecurityAlertKinds.PasswordChanged, http, origin);
        }
    }

    public Task LogoutAsync(IdentityUser user, HttpContext http) =>
        AppendAsync("auth.logout", user.Id, user.Email, true, new AuditOrigin(http.Connection.RemoteIpAddress?.ToString(), null), null);

    /// <summary>Remembers the device (a digest of its user agent); a device never seen before on an account that has
    /// signed in before gets a security alert. Returns the device description when it was new.</summary>
    private async Task<string?> RecordDeviceAndAlertAsync(IdentityUser user, HttpContext http, AuditOrigin origin)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        var deviceHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agent)));
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = Sql.Command(connection, null, """
            with known as (select count(*) as n from core.known_devices where user_id = $1),
                 upsert as (
                    insert into core.known_devices (user_id, device_hash, first_seen_at, last_seen_at) values ($1, $2, $3, $3)
                    on conflict (user_id, device_hash) do update set last_seen_at = excluded.last_seen_at
                    returning (xmax = 0) as inserted)
            select (select inserted from upsert), (select n from known)
            """, user.Id, deviceHash, now);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var isNew = reader.GetBoolean(0);
        var knownBefore = reader.GetInt64(1);
        if (!isNew || knownBefore == 0) return null;
        var device = string.IsNullOrEmpty(agent) ? "unknown device" : agent.Length > 120 ? agent[..120] : agent;
        await SecurityAlertAsync(user, SecurityAlertKinds.NewDeviceLogin, http, origin, device);
        return device;
    }

    private Task SecurityAlertAsync(IdentityUser user, string kind, HttpContext http, AuditOrigin origin, string? device = null) =>
        user.Email is { } email
            ? emails.EnqueueAsync(new EmailMessage(EmailTemplates.SecurityAlert,
                new SecurityAlertEmailModel(IdentityEmailSender.DisplayName(user), kind, time.GetUtcNow(), origin.IpAddress, device), [email]), CancellationToken.None)
            : Task.CompletedTask;

    private Task AppendAsync(string eventType, string? userId, string? email, bool succeeded, AuditOrigin origin, Dictionary<string, object?>? details)
    {
        var data = details ?? [];
        if (email is not null) data["email"] = CurrentUser.MaskEmail(email);
        return audit.AppendAsync(new AuditEntry(eventType, AuditActor.User(userId ?? "unknown"), succeeded ? AuditOutcome.Success : AuditOutcome.Failure,
            origin, userId is null ? null : new AuditResource("user", userId), System.Text.Json.JsonSerializer.SerializeToElement(data)));
    }

    private static T? Argument<T>(EndpointFilterInvocationContext context) where T : class =>
        context.Arguments.OfType<T>().FirstOrDefault();
}
