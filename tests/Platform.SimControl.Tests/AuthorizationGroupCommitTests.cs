using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.SimControl.Processor;
using Platform.SimControl.Settings;

namespace Platform.SimControl.Tests;

/// <summary>Authorizations written in batches (group commit): every answer is durable, idempotency stays exact.</summary>
[Collection(SimControlCollection.Name)]
public sealed class AuthorizationGroupCommitTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync(p => p.ApprovalRate = 1);
    public Task DisposeAsync() => Task.CompletedTask;

    private NpgsqlDataSource DataSource => fixture.First.Services.GetRequiredService<NpgsqlDataSource>();

    [Fact]
    public async Task Concurrent_authorizations_on_both_instances_each_get_one_durable_answer_and_a_shared_key_one_authorization()
    {
        var card = "card_batch_" + Guid.NewGuid().ToString("N")[..8];
        var run = Guid.NewGuid().ToString("N");
        // 60 keys, each sent three times (same body) to either instance, 32 at a time: batches hold repeats of one key.
        var answers = await Sim.ManyAsync(180, 32, async i =>
        {
            using var response = await Sim.PostAsync(i % 2 == 0 ? fixture.Client : fixture.SecondClient, "/processor/v1/authorizations",
                Sim.Authorization(1000 + i % 60, card), $"{run}-{i % 60}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (Key: i % 60, Body: await response.JsonAsync());
        });

        var byKey = answers.GroupBy(a => a.Key).ToList();
        Assert.Equal(60, byKey.Count);
        Assert.All(byKey, g => Assert.Single(g.Select(a => a.Body.GetProperty("authorizationId").GetString()).Distinct()));
        var records = await fixture.Client.GetFromJsonAsync<JsonElement>($"/processor/v1/authorizations?cardToken={card}&limit=1000");
        Assert.Equal(60, records.GetArrayLength());
        var recorded = records.EnumerateArray().ToDictionary(r => r.GetProperty("authorizationId").GetString()!, r => r.GetProperty("responseCode").GetString());
        Assert.All(byKey, g => Assert.Equal(recorded[g.First().Body.GetProperty("authorizationId").GetString()!], g.First().Body.GetProperty("responseCode").GetString()));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_and_different_bodies_get_one_authorization_and_422_for_the_others()
    {
        var key = "batch-reused-" + Guid.NewGuid().ToString("N");
        var card = "card_reuse_" + Guid.NewGuid().ToString("N")[..8];
        var answers = await Sim.ManyAsync(8, 8, async i =>
        {
            using var response = await Sim.PostAsync(i % 2 == 0 ? fixture.Client : fixture.SecondClient, "/processor/v1/authorizations",
                Sim.Authorization(i < 4 ? 500 : 600, card), key);
            return (response.StatusCode, Body: await response.JsonAsync());
        });

        var ok = answers.Where(a => a.StatusCode == HttpStatusCode.OK).ToList();
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity }));
        Assert.Single(ok.Select(a => a.Body.GetProperty("authorizationId").GetString()).Distinct());
        Assert.Single(ok.Select(a => a.Body.GetProperty("amount").GetInt64()).Distinct());
        var records = await fixture.Client.GetFromJsonAsync<JsonElement>($"/processor/v1/authorizations?cardToken={card}");
        Assert.Equal(1, records.GetArrayLength());
    }

    [Fact]
    public async Task A_batch_with_one_failing_row_fails_only_that_request_and_commits_the_others()
    {
        var existing = (await Sim.AuthorizeAsync(fixture.Client)).GetProperty("authorizationId").GetString()!;
        var writer = new AuthorizationWriter(DataSource, NullLogger<AuthorizationWriter>.Instance);
        var now = DateTimeOffset.UtcNow;
        var decision = new AuthorizationDecision(true, Iso8583ResponseCodes.Approved, 700);
        PendingAuthorization Pending(string id) => new(new IdempotencyKey("authorize", "writer-" + Guid.NewGuid().ToString("N"), "hash"), id,
            new AuthorizeRequest("card_writer", 700, "USD", new MerchantInfo("Corner Shop", "5411", "US")), decision, now);

        var good = Enumerable.Range(0, 5).Select(_ => Pending("auth_" + Guid.NewGuid().ToString("N"))).ToList();
        // Queued before the writer starts, so all six are in its first batch; the duplicate id breaks that batch.
        var bad = Pending(existing);
        var answers = good.Take(3).Append(bad).Concat(good.Skip(3)).Select(writer.WriteAsync).ToList();
        await writer.StartAsync(CancellationToken.None);
        try
        {
            await Assert.ThrowsAsync<PostgresException>(() => answers[3]);
            foreach (var (pending, answer) in good.Zip(answers.Where((_, i) => i != 3)))
            {
                var result = await answer;
                Assert.Equal(IdempotencyOutcome.Fresh, result.Outcome);
                Assert.Equal(pending.AuthorizationId, result.Body!.AuthorizationId);
            }
            await using var connection = await DataSource.OpenConnectionAsync();
            var stored = await connection.ExecuteScalarAsync<long>(
                "select count(*) from processor_sim.idempotency_keys where key = any(@keys) and status_code = 200",
                new { keys = good.Select(p => p.Key.Key).ToArray() });
            Assert.Equal(5, stored);
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from processor_sim.idempotency_keys where key = @key", new { key = bad.Key.Key }));
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }
}
