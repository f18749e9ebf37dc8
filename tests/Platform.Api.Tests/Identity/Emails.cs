using Npgsql;

namespace Platform.Api.Tests.Identity;

/// <summary>What the API has asked to be mailed to an address (read from its e-mail outbox).</summary>
internal static class Emails
{
    public static async Task<List<string>> SecurityAlertKindsAsync(string database, string email) =>
        await ReadAsync(database, "select model->>'kind' from core.emails where template = 'security-alert' and $1 = any(recipients) order by created_at", email);

    public static async Task<List<string>> TemplatesAsync(string database, string email) =>
        await ReadAsync(database, "select template from core.emails where $1 = any(recipients) order by created_at", email);

    private static async Task<List<string>> ReadAsync(string database, string sql, string email)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = email } } };
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
