using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Platform.Api.Identity;

/// <summary>
/// ASP.NET Core Identity's tables in schema <c>identity</c>, made and changed by this model's EF migrations
/// (Data/IdentitySchema/Migrations; a model change needs <c>dotnet ef migrations add</c>, or the API refuses to start).
/// </summary>
public sealed class IdentityStore(DbContextOptions<IdentityStore> options) : IdentityDbContext<IdentityUser>(options)
{
    public const string Schema = "identity";

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.HasDefaultSchema(Schema);
        base.OnModelCreating(builder);
    }
}

public static class PlatformRoles
{
    /// <summary>Sees and acts on their own applications, accounts, cards, transactions and statements only.</summary>
    public const string Customer = "customer";

    /// <summary>Audit reads, reconciliation, opening accounts directly, simulator-affecting admin actions.</summary>
    public const string Operator = "operator";
}
