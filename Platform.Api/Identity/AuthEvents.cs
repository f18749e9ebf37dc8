using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Dapper;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Email;

namespace Platform.Api.Identity;

/// <summary>
/// What every step of signing up and signing in leaves on the audit spine (with the origin IP and the outcome), and the
/// security alerts that follow some of them. The auth endpoints call it with what they did; nothing here guesses the
/// step from the URL.
/// </summary>
internal sealed class AuthEvents(IAuditTrail audit, IEmailOutbox emails, NpgsqlDataSource dataSource, TimeProvider time)
{
    public Task RegisteredAsync(AuditOrigin origin, string email, IdentityUser? created, bool addressWasTaken) =>
        AppendAsync("auth.registered", created?.Id, email, created is not null || addressWasTaken, origin,
            addressWasTaken ? new() { ["addressAlreadyRegistered"] = true } : null);

    public Task EmailConfirmedAsync(AuditOrigin origin, string? userId, bool succeeded) =>
        AppendAsync("auth.email_confirmed", userId, null, succeeded, origin, null);

    /// <summary>A sign-in attempt; the failure cause is recorded here only, never told to the caller.</summary>
    public Task LoginAsync(AuditOrigin origin, string email, IdentityUser? user, SignInFailure? failure, bool newDevice) =>
        AppendAsync("auth.login", user?.Id, email, failure is null, origin,
            new() { ["failure"] = failure?.ToString(), ["newDevice"] = newDevice });

    public async Task LockedOutAsync(AuditOrigin origin, IdentityUser user, DateTimeOffset? until)
    {
        await AppendAsync("auth.lockout", user.Id, user.Email, true, origin, new() { ["until"] = until });
        await SecurityAlertAsync(user, SecurityAlertKinds.AccountLocked, origin);
    }

    public Task TokenRefreshedAsync(AuditOrigin origin, string? userId, bool succeeded) =>
        AppendAsync("auth.token_refreshed", userId, null, succeeded, origin, null);

    public Task PasswordResetRequestedAsync(AuditOrigin origin, string email, IdentityUser? user) =>
        AppendAsync("auth.password_reset_requested", user?.Id, email, true, origin, null);

    public Task ConfirmationResendRequestedAsync(AuditOrigin origin, string email, IdentityUser? user) =>
        AppendAsync("auth.confirmation_resend_requested", user?.Id, email, true, origin, null);

    public async Task PasswordResetAsync(AuditOrigin origin, string email, IdentityUser? user, bool succeeded)
    {
        await AppendAsync("auth.password_reset", user?.Id, email, succeeded, origin, null);
        if (succeeded && user is not null) await SecurityAlertAsync(user, SecurityAlertKinds.PasswordChanged, origin);
    }

    public async Task PasswordChangedAsync(AuditOrigin origin, IdentityUser user, bool succeeded)
    {
        await AppendAsync("auth.password_changed", user.Id, user.Email, succeeded, origin, null);
        if (succeeded) await SecurityAlertAsync(user, SecurityAlertKinds.PasswordChanged, origin);
    }

    public Task LogoutAsync(AuditOrigin origin, IdentityUser user) =>
        AppendAsync("auth.logout", user.Id, user.Email, true, origin, null);

    /// <summary>Remembers the device (a digest of its user agent); a device never seen before on an account that has
    /// signed in before gets a security alert. Returns whether it was new.</summary>
    public async Task<bool> RecordDeviceAsync(IdentityUser user, AuditOrigin origin, string userAgent)
    {
        var agent = userAgent;
        var deviceHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agent)));
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync();
        var seen = await connection.QuerySingleAsync<DeviceSighting>(new CommandDefinition("""
            with known as (select count(*) as n from core.known_devices where user_id = @userId),
                 upsert as (
                    insert into core.known_devices (user_id, device_hash, first_seen_at, last_seen_at) values (@userId, @deviceHash, @now, @now)
                    on conflict (user_id, device_hash) do update set last_seen_at = excluded.last_seen_at
                    returning (xmax = 0) as inserted)
            select (select inserted from upsert) as inserted, (select n from known) as known_before
            """, new { userId = user.Id, deviceHash, now }));
        if (!seen.Inserted || seen.KnownBefore == 0) return false;
        var device = string.IsNullOrEmpty(agent) ? "unknown device" : agent.Length > 120 ? agent[..120] : agent;
        await SecurityAlertAsync(user, SecurityAlertKinds.NewDeviceLogin, origin, device);
        return true;
    }

    private Task SecurityAlertAsync(IdentityUser user, string kind, AuditOrigin origin, string? device = null) =>
        user.Email is { } email
            ? emails.EnqueueAsync(new EmailMessage(EmailTemplates.SecurityAlert,
                new SecurityAlertEmailModel(IdentityMail.DisplayName(user), kind, time.GetUtcNow(), origin.IpAddress, device), [email]), CancellationToken.None)
            : Task.CompletedTask;

    /// <summary>Where a request came from, as the audit records it.</summary>
    public static AuditOrigin Origin(HttpContext http) => new(http.Connection.RemoteIpAddress?.ToString(), null);

    private Task AppendAsync(string eventType, string? userId, string? email, bool succeeded, AuditOrigin origin, Dictionary<string, object?>? details)
    {
        var data = details ?? [];
        if (email is not null) data["email"] = CurrentUser.MaskEmail(email);
        return audit.AppendAsync(new AuditEntry(eventType, AuditActor.User(userId ?? "unknown"), succeeded ? AuditOutcome.Success : AuditOutcome.Failure,
            origin, userId is null ? null : new AuditResource("user", userId), System.Text.Json.JsonSerializer.SerializeToElement(data)));
    }
}

/// <summary>Whether the device was new, and how many devices the account had before it.</summary>
internal sealed record DeviceSighting(bool Inserted, long KnownBefore);

/// <summary>Why a sign-in was refused: for the audit trail; the caller always hears the same "Failed".</summary>
public enum SignInFailure
{
    UnknownAddress,
    WrongPassword,
    LockedOut,
    EmailNotConfirmed,
}
