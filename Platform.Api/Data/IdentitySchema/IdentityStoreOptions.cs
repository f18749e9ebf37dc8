using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Platform.Api.Identity;

namespace Platform.Api.Data.IdentitySchema;

/// <summary>
/// How <see cref="IdentityStore"/> talks to PostgreSQL, in one place for the service, the start-up migrator and
/// <c>dotnet ef</c>: its migrations live in this assembly and are journalled in the identity schema
/// (<c>identity."__EFMigrationsHistory"</c>), beside the tables they made.
/// </summary>
public static class IdentityStoreOptions
{
    public const string HistoryTable = "__EFMigrationsHistory";

    public static DbContextOptionsBuilder UseIdentityStore(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, Npgsql);

    internal static DbContextOptions<IdentityStore> For(NpgsqlDataSource dataSource) =>
        new DbContextOptionsBuilder<IdentityStore>().UseNpgsql(dataSource, Npgsql).Options;

    private static void Npgsql(NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable(HistoryTable, IdentityStore.Schema);

    /// <summary>
    /// What <c>dotnet ef migrations add</c> builds the model with: no database needed, and none of the service's
    /// configuration (connection strings, secrets) either.
    /// </summary>
    internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<IdentityStore>
    {
        public IdentityStore CreateDbContext(string[] args) =>
            new(new DbContextOptionsBuilder<IdentityStore>().UseNpgsql(Npgsql).Options);
    }
}
