using Npgsql;
using Platform.Api.Data;

namespace Platform.Api.Statements;

/// <summary>Reads of stored statements for the API.</summary>
public sealed class StatementStore(NpgsqlDataSource dataSource)
{
    internal const string Columns = """
        statement_id, account_id, period, period_start, period_end, currency, previous_balance, payments, purchases, refunds,
        fees, interest, new_balance, minimum_payment, due_date, transaction_count, email_id is not null, created_at
        """;

    public async Task<bool> AccountExistsAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, "select 1 from core.accounts where account_id = $1", accountId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<StatementResponse>> ListAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            $"select {Columns} from core.statements where account_id = $1 order by period_end desc", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<StatementResponse>();
        while (await reader.ReadAsync(cancellationToken)) items.Add(Read(reader));
        return items;
    }

    public async Task<byte[]?> GetPdfAsync(Guid accountId, StatementPeriod period, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select pdf from core.statements where account_id = $1 and period = $2", accountId, period.Name);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    internal static StatementResponse Read(NpgsqlDataReader reader)
    {
        var accountId = reader.GetGuid(1);
        var period = reader.GetString(2);
        var periodEnd = reader.GetFieldValue<DateTimeOffset>(4);
        return new StatementResponse(reader.GetGuid(0), accountId, period, reader.GetFieldValue<DateTimeOffset>(3), periodEnd,
            StatementCalculator.ClosingDate(periodEnd), reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8),
            reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13),
            reader.GetFieldValue<DateOnly>(14), reader.GetInt32(15), reader.GetBoolean(16), reader.GetFieldValue<DateTimeOffset>(17),
            PdfUrl(accountId, period));
    }

    public static string PdfUrl(Guid accountId, string period) => $"/v1/accounts/{accountId}/statements/{period}";
}
