using Npgsql;

namespace Platform.Testing.Fuzz;

/// <summary>
/// A digest of every row of every table in a database's own schemas, to show that a run of requests wrote nothing:
/// inserts, updates and deletes all change it. Meant for the small, fresh databases of the fuzz tests.
/// </summary>
public static class StoreSnapshot
{
    public static async Task<IReadOnlyDictionary<string, string>> TakeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("""
            select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables
            where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var digests = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            await using var digest = new NpgsqlCommand($"select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from {table} t", connection);
            digests[table] = (string)(await digest.ExecuteScalarAsync())!;
        }
        return digests;
    }

    /// <summary>The tables whose rows differ between two snapshots.</summary>
    public static IReadOnlyList<string> Changed(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys).Where(table => before.GetValueOrDefault(table) != after.GetValueOrDefault(table)).Order()];
}
