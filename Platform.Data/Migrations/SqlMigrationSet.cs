using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Data.Migrations;

/// <summary>One versioned SQL script: <c>NNNN_description.sql</c>, embedded in the assembly that owns it.</summary>
/// <param name="Checksum">SHA-256 of the text with LF line endings, so a checkout with CRLF endings matches.</param>
public sealed record SqlMigration(int Version, string Name, string Sql, string Checksum);

/// <summary>
/// The scripts one service owns and where their journal lives. Each set has its own journal table
/// (<c>{JournalSchema}.schema_migrations</c>) and its own advisory lock, so the API and processor-sim never wait on,
/// nor mistake, each other's versions.
/// </summary>
public sealed partial record SqlMigrationSet
{
    private SqlMigrationSet(string name, string journalSchema, long lockKey, IReadOnlyList<SqlMigration> migrations)
    {
        Name = name;
        JournalSchema = journalSchema;
        LockKey = lockKey;
        Migrations = migrations;
    }

    /// <summary>Says whose scripts these are in logs and errors.</summary>
    public string Name { get; }

    public string JournalSchema { get; }

    /// <summary>The session-level advisory lock replicas take turns on; unique to the set within the database.</summary>
    public long LockKey { get; }

    /// <summary>In version order, versions unique.</summary>
    public IReadOnlyList<SqlMigration> Migrations { get; }

    /// <summary>
    /// The set from <paramref name="assembly"/>'s embedded resources named <c>{resourcePrefix}NNNN_description.sql</c>
    /// (the csproj gives them that logical name).
    /// </summary>
    public static SqlMigrationSet FromEmbeddedResources(
        string name, Assembly assembly, string resourcePrefix, string journalSchema, long lockKey)
    {
        if (!IdentifierPattern().IsMatch(journalSchema))
        {
            // The schema is put into the journal's DDL as an identifier; only plain lower-case names are accepted.
            throw new ArgumentException($"Journal schema '{journalSchema}' must be a plain lower-case identifier.", nameof(journalSchema));
        }

        var migrations = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)))
        {
            var fileName = resource[resourcePrefix.Length..];
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration '{fileName}' of {name} must be named NNNN_description.sql.");
            }
            migrations.Add(Read(assembly, resource, int.Parse(match.Groups["version"].Value), match.Groups["name"].Value));
        }

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException($"{name} has no embedded migrations under '{resourcePrefix}'.");
        }
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations of {name} share version {duplicate.Key}.");
        }
        return new SqlMigrationSet(name, journalSchema, lockKey, [.. migrations.OrderBy(m => m.Version)]);
    }

    private static SqlMigration Read(Assembly assembly, string resource, int version, string name)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var sql = reader.ReadToEnd();
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
        return new SqlMigration(version, name, sql, checksum);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^(?<version>[0-9]+)_(?<name>.+)\.sql$")]
    private static partial Regex FileNamePattern();
}
