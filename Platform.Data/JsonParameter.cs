using System.Data;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Platform.Data;

/// <summary>
/// A JSON document as a Dapper parameter: a string alone would be sent as text, which PostgreSQL refuses for a
/// <c>json</c>/<c>jsonb</c> column without a cast in the SQL. Null is SQL null.
/// </summary>
public sealed class JsonParameter : SqlMapper.ICustomQueryParameter
{
    private readonly string? json;
    private readonly NpgsqlDbType type;

    private JsonParameter(string? json, NpgsqlDbType type) => (this.json, this.type) = (json, type);

    public static JsonParameter Jsonb(string? json) => new(json, NpgsqlDbType.Jsonb);

    public static JsonParameter Json(string? json) => new(json, NpgsqlDbType.Json);

    public void AddParameter(IDbCommand command, string name) =>
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = (object?)json ?? DBNull.Value });
}
