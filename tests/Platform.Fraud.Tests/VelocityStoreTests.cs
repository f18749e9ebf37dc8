using Platform.Fraud.Features;
using Platform.Fraud.Training;
using StackExchange.Redis;

namespace Platform.Fraud.Tests;

[Collection(RedisCollection.Name)]
public sealed class VelocityStoreTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly RedisVelocityStore store = new(redis.Connection, new IdentityHasher(FraudServiceFactory.TestHashKey));

    public Task InitializeAsync() => redis.Server.FlushAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Card_counts_and_sums_cover_one_minute_one_hour_and_a_day_before_the_transaction()
    {
        var now = Scenarios.Now;
        await store.RecordTransactionAsync(Scenarios.Transaction("card-1", 1_000, now.AddHours(-30)), default); // outside 24 h
        await store.RecordTransactionAsync(Scenarios.Transaction("card-1", 2_000, now.AddHours(-5), merchant: "m-a", country: "CA"), default);
        await store.RecordTransactionAsync(Scenarios.Transaction("card-1", 300, now.AddMinutes(-30), merchant: "m-b"), default);
        await store.RecordTransactionAsync(Scenarios.Transaction("card-1", 400, now.AddSeconds(-20), merchant: "m-b"), default);

        var velocity = await store.RecordTransactionAsync(Scenarios.Transaction("card-1", 5_000, now, merchant: "m-c"), default);

        Assert.Equal((1, 2, 3), (velocity.Count1m, velocity.Count1h, velocity.Count24h));
        Assert.Equal((400L, 700L, 2_700L), (velocity.Sum1mMinor, velocity.Sum1hMinor, velocity.Sum24hMinor));
        Assert.Equal(2, velocity.SmallAmounts1h);
        Assert.Equal(2, velocity.DistinctMerchants24h); // m-a and m-b; m-c is this one
        Assert.Equal(2, velocity.DistinctCountries24h); // CA and US
        Assert.Equal((4, 3_700L), (velocity.HistoryCount, velocity.HistorySumMinor));
        Assert.Equal(now.AddSeconds(-20).ToUnixTimeMilliseconds(), velocity.LastAtMs);
    }

    [Fact]
    public async Task A_new_device_and_a_new_country_are_flagged_once()
    {
        var now = Scenarios.Now;
        await store.RecordTransactionAsync(Scenarios.Transaction("card-2", 1_000, now.AddDays(-2), channel: TransactionChannel.Ecommerce, device: "dev-1"), default);

        var first = await store.RecordTransactionAsync(Scenarios.Transaction("card-2", 1_000, now, country: "FR",
            channel: TransactionChannel.Ecommerce, device: "dev-2"), default);
        var second = await store.RecordTransactionAsync(Scenarios.Transaction("card-2", 1_000, now.AddMinutes(1), country: "FR",
            channel: TransactionChannel.Ecommerce, device: "dev-2"), default);

        Assert.True(first.NewDevice);
        Assert.True(first.NewCountry);
        Assert.False(second.NewDevice);
        Assert.False(second.NewCountry);
    }

    [Fact]
    public async Task Retrying_a_transaction_with_the_same_id_does_not_count_it_twice()
    {
        var now = Scenarios.Now;
        await store.RecordTransactionAsync(Scenarios.Transaction("card-3", 1_000, now.AddMinutes(-1), id: "tx-a"), default);
        var first = await store.RecordTransactionAsync(Scenarios.Transaction("card-3", 2_000, now, id: "tx-b"), default);

        var retried = await store.RecordTransactionAsync(Scenarios.Transaction("card-3", 2_000, now, id: "tx-b"), default);

        Assert.Equal(first.Count24h, retried.Count24h);
        Assert.Equal(first.Sum24hMinor, retried.Sum24hMinor);
        Assert.Equal(first.HistoryCount, retried.HistoryCount);
    }

    [Fact]
    public async Task Concurrent_transactions_on_one_card_each_see_the_others_exactly_once()
    {
        var now = Scenarios.Now;

        var seen = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            store.RecordTransactionAsync(Scenarios.Transaction("card-4", 100, now), default)));

        Assert.Equal(Enumerable.Range(0, 40), seen.Select(v => v.Count1m).Order());
        Assert.Equal(Enumerable.Range(0, 40), seen.Select(v => v.HistoryCount).Order());
    }

    [Fact]
    public async Task Application_velocity_links_identifiers_and_spots_a_changed_identity()
    {
        var now = Scenarios.Now;
        await store.RecordApplicationAsync(Scenarios.Application(now.AddDays(-3), ssn: "111223333", device: "dev-x"), default);
        await store.RecordApplicationAsync(Scenarios.Application(now.AddHours(-2), ssn: "222334444", device: "dev-x",
            email: "other@example.com", phone: "15555550000"), default);

        var velocity = await store.RecordApplicationAsync(Scenarios.Application(now, ssn: "111223333", device: "dev-x",
            email: "new@example.com", phone: "15555551111", dateOfBirth: new DateOnly(1990, 1, 1)), default);

        Assert.Equal((0, 1), (velocity.SsnApplications24h, velocity.SsnApplications30d));
        Assert.Equal((1, 2), (velocity.DeviceApplications24h, velocity.DeviceApplications30d));
        Assert.Equal(1, velocity.LinkedSsns30d);
        Assert.True(velocity.SsnIdentityMismatch);
        Assert.Equal(2, velocity.SsnOtherContacts30d); // the first application's e-mail and phone
    }

    [Fact]
    public async Task Redis_gives_the_same_velocity_as_the_in_memory_store_the_model_was_trained_with()
    {
        var memory = new InMemoryVelocityStore();
        var transactions = TransactionDataGenerator.Generate(seed: 7, cards: 12, days: 4);
        foreach (var labelled in transactions)
        {
            Assert.Equal(memory.RecordTransaction(labelled.Event), await store.RecordTransactionAsync(labelled.Event, default));
        }
        var applications = ApplicationDataGenerator.Generate(seed: 7, applicants: 400, days: 10);
        foreach (var labelled in applications)
        {
            Assert.Equal(memory.RecordApplication(labelled.Event), await store.RecordApplicationAsync(labelled.Event, default));
        }
    }

    [Fact]
    public async Task The_start_up_warm_up_leaves_nothing_behind()
    {
        await store.WarmUpAsync();

        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        Assert.Empty(await server.KeysAsync(pattern: "*").ToListAsync());
    }

    [Fact]
    public async Task Redis_holds_no_SSN_email_phone_card_or_device_in_the_clear()
    {
        var application = Scenarios.Application(Scenarios.Now, ssn: "123456789", email: "jane.miller@gmail.com", phone: "15555550123", device: "dev-laptop-1");
        await store.RecordApplicationAsync(application, default);
        await store.RecordTransactionAsync(Scenarios.Transaction("card-secret-42", 1_000, Scenarios.Now,
            channel: TransactionChannel.Ecommerce, device: "dev-laptop-1"), default);

        var everything = new List<string>();
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var database = redis.Connection.GetDatabase();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            everything.Add(key!);
            var type = await database.KeyTypeAsync(key);
            if (type == RedisType.SortedSet)
            {
                everything.AddRange((await database.SortedSetRangeByRankAsync(key)).Select(v => v.ToString()));
            }
            else if (type == RedisType.Hash)
            {
                everything.AddRange((await database.HashGetAllAsync(key)).Select(e => e.Name + "=" + e.Value));
            }
        }

        Assert.NotEmpty(everything);
        foreach (var secret in new[] { "123456789", "jane", "miller", "5555550123", "card-secret-42", "dev-laptop-1" })
        {
            Assert.DoesNotContain(everything, entry => entry.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }
}
