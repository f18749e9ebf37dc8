using System.Globalization;
using StackExchange.Redis;

namespace Platform.Fraud.Features;

/// <summary>
/// Velocity in Redis: one script call per scored event reads the history and records the event atomically.
/// Identifiers are hashed with <see cref="IdentityHasher"/> before they reach Redis. Timeouts and the degraded
/// fallback are the caller's (<see cref="Scoring.VelocityReader"/>), so this class stays a plain data-access layer.
/// The application script touches keys of several identifiers at once: it needs a single Redis node, not a cluster.
/// </summary>
internal sealed class RedisVelocityStore(IConnectionMultiplexer redis, IdentityHasher hasher) : IVelocityStore
{
    private static readonly RedisValue SmallAmount = VelocityWindows.SmallAmountMinor;
    private static readonly RedisValue MaxEvents = VelocityWindows.MaxEventsPerCard;

    public async Task<CardVelocity> RecordTransactionAsync(TransactionEvent transaction, CancellationToken cancellationToken)
    {
        var card = hasher.Hash(RedisKeys.Purpose.Card, transaction.CardId);
        RedisKey[] keys =
        [
            RedisKeys.CardTransactions(card), RedisKeys.CardMerchants(card), RedisKeys.CardCountries(card),
            RedisKeys.CardDevices(card), RedisKeys.CardStats(card),
        ];
        RedisValue[] values =
        [
            transaction.OccurredAtMs,
            transaction.AmountMinor,
            transaction.EventId + "|" + transaction.AmountMinor.ToString(CultureInfo.InvariantCulture),
            hasher.Hash(RedisKeys.Purpose.Merchant, transaction.MerchantId),
            transaction.MerchantCountry,
            string.IsNullOrEmpty(transaction.DeviceId) ? "" : hasher.Hash(RedisKeys.Purpose.Device, transaction.DeviceId),
            SmallAmount,
            MaxEvents,
        ];
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(VelocityScripts.Transaction, keys, values))!;
        var last = (long)result[13];
        return new CardVelocity(
            Count1m: (int)result[0], Count1h: (int)result[1], Count24h: (int)result[2],
            Sum1mMinor: (long)result[3], Sum1hMinor: (long)result[4], Sum24hMinor: (long)result[5],
            SmallAmounts1h: (int)result[6], DistinctMerchants24h: (int)result[7], DistinctCountries24h: (int)result[8],
            NewDevice: (long)result[9] == 1, NewCountry: (long)result[10] == 1,
            HistoryCount: (int)result[11], HistorySumMinor: (long)result[12], LastAtMs: last < 0 ? null : last);
    }

    public async Task<ApplicationVelocity> RecordApplicationAsync(ApplicationEvent application, CancellationToken cancellationToken)
    {
        var ssn = hasher.Hash(RedisKeys.Purpose.Ssn, application.SsnDigits);
        var email = hasher.Hash(RedisKeys.Purpose.Email, application.CanonicalEmail);
        var phone = hasher.Hash(RedisKeys.Purpose.Phone, application.PhoneDigits);
        var hasDevice = !string.IsNullOrEmpty(application.DeviceId);
        var device = hasDevice ? hasher.Hash(RedisKeys.Purpose.Device, application.DeviceId!) : "none";
        var identity = hasher.Hash(RedisKeys.Purpose.Identity, InMemoryVelocityStore.IdentityFingerprint(application));
        RedisKey[] keys =
        [
            RedisKeys.SsnApplications(ssn), RedisKeys.EmailApplications(email), RedisKeys.PhoneApplications(phone),
            RedisKeys.DeviceApplications(device), RedisKeys.SsnIdentities(ssn), RedisKeys.SsnEmails(ssn),
            RedisKeys.SsnPhones(ssn), RedisKeys.EmailSsns(email), RedisKeys.PhoneSsns(phone), RedisKeys.DeviceSsns(device),
        ];
        RedisValue[] values = [application.OccurredAtMs, application.EventId, ssn, identity, email, phone, hasDevice ? "1" : "0"];
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(VelocityScripts.Application, keys, values))!;
        return new ApplicationVelocity(
            SsnApplications24h: (int)result[0], SsnApplications30d: (int)result[1],
            EmailApplications30d: (int)result[2], PhoneApplications30d: (int)result[3],
            DeviceApplications24h: (int)result[4], DeviceApplications30d: (int)result[5],
            LinkedSsns30d: (int)result[6], SsnIdentityMismatch: (long)result[7] == 1, SsnOtherContacts30d: (int)result[8]);
    }

    /// <summary>
    /// Runs both scripts once for throwaway identifiers and deletes what they wrote, so the first real score does
    /// not pay for the first script call, hashing and result parsing.
    /// </summary>
    public async Task WarmUpAsync()
    {
        var id = "warmup-" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await RecordTransactionAsync(new TransactionEvent(id, id, 100, "USD", id, MerchantCategories.Grocery, "US", "US",
            TransactionChannel.Ecommerce, id, now), CancellationToken.None);
        await RecordApplicationAsync(new ApplicationEvent(id, "Warm", "Up", new DateOnly(1980, 1, 1), id, null, id + "@warmup.invalid",
            id, "US", null, 0, null, id, now), CancellationToken.None);

        var card = hasher.Hash(RedisKeys.Purpose.Card, id);
        var ssn = hasher.Hash(RedisKeys.Purpose.Ssn, id);
        var email = hasher.Hash(RedisKeys.Purpose.Email, Identity.CanonicalEmail(id + "@warmup.invalid"));
        var phone = hasher.Hash(RedisKeys.Purpose.Phone, id);
        var device = hasher.Hash(RedisKeys.Purpose.Device, id);
        await redis.GetDatabase().KeyDeleteAsync(
        [
            RedisKeys.CardTransactions(card), RedisKeys.CardMerchants(card), RedisKeys.CardCountries(card),
            RedisKeys.CardDevices(card), RedisKeys.CardStats(card),
            RedisKeys.SsnApplications(ssn), RedisKeys.SsnIdentities(ssn), RedisKeys.SsnEmails(ssn), RedisKeys.SsnPhones(ssn),
            RedisKeys.EmailApplications(email), RedisKeys.EmailSsns(email), RedisKeys.PhoneApplications(phone),
            RedisKeys.PhoneSsns(phone), RedisKeys.DeviceApplications(device), RedisKeys.DeviceSsns(device),
        ]);
    }
}
