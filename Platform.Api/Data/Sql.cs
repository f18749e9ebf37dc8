using Npgsql;

namespace Platform.Api.Data;

/// <summary>Positional-parameter commands ($1, $2 …): the short form the feature stores share.</summary>
internal static class Sql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string text, params object?[] parameters)
    {
        var command = new NpgsqlCommand(text, connection, transaction);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    public static NpgsqlBatchCommand BatchCommand(string text, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(text);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string text, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(connection, transaction, text, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
