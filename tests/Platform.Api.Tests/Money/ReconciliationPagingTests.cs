using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Tests.Money;

/// <summary>Reconciliation reads every processor record of its window, not the first page of them.</summary>
[Collection(MoneyCollection.Name)]
public sealed class ReconciliationPagingTests(MoneyFixture fixture)
{
    [Fact]
    public async Task A_card_with_more_records_than_one_page_is_read_to_the_last_record()
    {
        var token = "card_paging_" + Guid.NewGuid().ToString("N");
        var total = ProcessorOperationsClient.AuthorizationPageSize + 137;
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        await using (var connection = new NpgsqlConnection(fixture.ProcessorDatabase))
        {
            await connection.OpenAsync();
            // Straight into processor-sim's table: what 1,137 authorizations on one card leave there, in a second.
            // Several share a timestamp, so the page boundary must order by id as well.
            await using var insert = new NpgsqlCommand("""
                insert into processor_sim.authorizations (authorization_id, card_token, amount, currency, merchant_name, merchant_mcc, merchant_country,
                    approved, response_code, approved_amount, status, created_at)
                select 'auth_paging_' || lpad(n::text, 6, '0') || '_' || $1, $1, 100, 'USD', 'Shop', '5411', 'US', true, '00', 100, 'approved',
                    $2 + (n / 3) * interval '1 second'
                from generate_series(1, $3) n
                """, connection)
            {
                Parameters = { new() { Value = token }, new() { Value = start }, new() { Value = total } },
            };
            await insert.ExecuteNonQueryAsync();
        }
        await using var scope = fixture.Api.Services.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetRequiredService<ProcessorOperationsClient>();

        var records = await processor.ListAuthorizationsAsync(token, start.AddMinutes(-1), DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(total, records.Count);
        Assert.Equal(total, records.Select(r => r.AuthorizationId).Distinct().Count());
    }
}
