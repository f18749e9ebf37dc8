using System.Globalization;

namespace Platform.Fraud.Features;

/// <summary>
/// The same velocity rules as <see cref="VelocityScripts"/>, in memory. The training generator replays its
/// synthetic histories through this, so the model learns from exactly the features the Redis store serves.
/// Key expiry (TTL) is not modelled: it only matters after 24 h to a year of silence, longer than any generated history.
/// </summary>
internal sealed class InMemoryVelocityStore : IVelocityStore
{
    private readonly Dictionary<string, SortedScoreSet> sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CardStats> stats = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public Task<CardVelocity> RecordTransactionAsync(TransactionEvent transaction, CancellationToken cancellationToken) =>
        Task.FromResult(RecordTransaction(transaction));

    public Task<ApplicationVelocity> RecordApplicationAsync(ApplicationEvent application, CancellationToken cancellationToken) =>
        Task.FromResult(RecordApplication(application));

    public CardVelocity RecordTransaction(TransactionEvent transaction)
    {
        lock (gate)
        {
            var now = transaction.OccurredAtMs;
            var card = transaction.CardId;
            var member = transaction.EventId + "|" + transaction.AmountMinor.ToString(CultureInfo.InvariantCulture);

            var events = Set("tx:" + card);
            var retry = events.Remove(member);
            events.RemoveUpTo(now - VelocityWindows.Day);
            int c1m = 0, c1h = 0, c24 = 0, small1h = 0;
            long s1m = 0, s1h = 0, s24 = 0;
            foreach (var (eventMember, ts) in events.Entries)
            {
                if (ts <= now - VelocityWindows.Day || ts > now)
                {
                    continue;
                }
                var amount = long.Parse(eventMember.AsSpan(eventMember.LastIndexOf('|') + 1), CultureInfo.InvariantCulture);
                c24++;
                s24 += amount;
                if (ts > now - VelocityWindows.Hour)
                {
                    c1h++;
                    s1h += amount;
                    if (amount <= VelocityWindows.SmallAmountMinor)
                    {
                        small1h++;
                    }
                    if (ts > now - VelocityWindows.Minute)
                    {
                        c1m++;
                        s1m += amount;
                    }
                }
            }
            events.Add(member, now);
            events.TrimToLargest(VelocityWindows.MaxEventsPerCard);

            var merchants = Set("merchants:" + card);
            merchants.RemoveUpTo(now - VelocityWindows.Day);
            var distinctMerchants = merchants.Count(now - VelocityWindows.Day, now);
            merchants.AddGreater(transaction.MerchantId, now);

            if (!stats.TryGetValue(card, out var cardStats))
            {
                cardStats = new CardStats();
                stats[card] = cardStats;
            }
            var n = cardStats.Count;
            var sum = cardStats.Sum;
            var last = cardStats.Last;
            if (retry)
            {
                n--;
                sum -= transaction.AmountMinor;
            }

            var countries = Set("countries:" + card);
            countries.RemoveUpTo(now - VelocityWindows.CardMemory);
            var distinctCountries = countries.Count(now - VelocityWindows.Day, now);
            var newCountry = n > 0 && !countries.Contains(transaction.MerchantCountry);
            countries.AddGreater(transaction.MerchantCountry, now);

            var newDevice = false;
            if (!string.IsNullOrEmpty(transaction.DeviceId))
            {
                var devices = Set("devices:" + card);
                devices.RemoveUpTo(now - VelocityWindows.CardMemory);
                newDevice = n > 0 && !devices.Contains(transaction.DeviceId);
                devices.AddGreater(transaction.DeviceId, now);
            }

            if (!retry)
            {
                cardStats.Count++;
                cardStats.Sum += transaction.AmountMinor;
                if (now > cardStats.Last)
                {
                    cardStats.Last = now;
                }
            }

            return new CardVelocity(c1m, c1h, c24, s1m, s1h, s24, small1h, distinctMerchants, distinctCountries,
                newDevice, newCountry, n, sum, last < 0 ? null : last);
        }
    }

    public ApplicationVelocity RecordApplication(ApplicationEvent application)
    {
        lock (gate)
        {
            var now = application.OccurredAtMs;
            var member = application.EventId;
            var ssn = application.SsnDigits;
            var email = application.CanonicalEmail;
            var phone = application.PhoneDigits;
            var identity = IdentityFingerprint(application);

            var (ssn24, ssn30) = Applications("ssn:" + ssn, member, now);
            var (_, email30) = Applications("email:" + email, member, now);
            var (_, phone30) = Applications("phone:" + phone, member, now);
            var linked = Math.Max(
                Others("email-ssns:" + email, ssn, now, VelocityWindows.ApplicationWindow),
                Others("phone-ssns:" + phone, ssn, now, VelocityWindows.ApplicationWindow));
            int device24 = 0, device30 = 0;
            if (!string.IsNullOrEmpty(application.DeviceId))
            {
                (device24, device30) = Applications("device:" + application.DeviceId, member, now);
                linked = Math.Max(linked, Others("device-ssns:" + application.DeviceId, ssn, now, VelocityWindows.ApplicationWindow));
            }
            var mismatch = Others("ssn-identities:" + ssn, identity, now, VelocityWindows.IdentityMemory) > 0;
            var contacts = Others("ssn-emails:" + ssn, email, now, VelocityWindows.ApplicationWindow)
                + Others("ssn-phones:" + ssn, phone, now, VelocityWindows.ApplicationWindow);

            return new ApplicationVelocity(ssn24, ssn30, email30, phone30, device24, device30, linked, mismatch, contacts);
        }
    }

    /// <summary>Who the SSN claims to be: first name and date of birth (a last name may change with marriage).</summary>
    public static string IdentityFingerprint(ApplicationEvent application) =>
        application.FirstName.Trim().ToLowerInvariant() + "|" + application.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private (int Day, int Window) Applications(string key, string member, long now)
    {
        var set = Set(key);
        set.Remove(member);
        set.RemoveUpTo(now - VelocityWindows.ApplicationWindow);
        var day = set.Count(now - VelocityWindows.Day, now);
        var window = set.Count(now - VelocityWindows.ApplicationWindow, now);
        set.Add(member, now);
        return (day, window);
    }

    private int Others(string key, string self, long now, long keep)
    {
        var set = Set(key);
        var since = now - keep;
        set.RemoveUpTo(since);
        var count = set.Count(since, now);
        if (set.TryGetScore(self, out var score) && score <= now)
        {
            count--;
        }
        set.AddGreater(self, now);
        return count;
    }

    private SortedScoreSet Set(string key)
    {
        if (!sets.TryGetValue(key, out var set))
        {
            set = new SortedScoreSet();
            sets[key] = set;
        }
        return set;
    }

    private sealed class CardStats
    {
        public int Count;
        public long Sum;
        public long Last = -1;
    }

    /// <summary>A Redis sorted set, as far as the scripts use one.</summary>
    private sealed class SortedScoreSet
    {
        private readonly Dictionary<string, long> scores = new(StringComparer.Ordinal);

        public IEnumerable<KeyValuePair<string, long>> Entries => scores;

        public bool Remove(string member) => scores.Remove(member);

        public bool Contains(string member) => scores.ContainsKey(member);

        public bool TryGetScore(string member, out long score) => scores.TryGetValue(member, out score);

        public void Add(string member, long score) => scores[member] = score;

        /// <summary>ZADD GT: a new member is added; an existing one only moves forward in time.</summary>
        public void AddGreater(string member, long score)
        {
            if (!scores.TryGetValue(member, out var existing) || score > existing)
            {
                scores[member] = score;
            }
        }

        /// <summary>ZREMRANGEBYSCORE -inf max.</summary>
        public void RemoveUpTo(long max)
        {
            List<string>? stale = null;
            foreach (var (member, score) in scores)
            {
                if (score <= max)
                {
                    (stale ??= []).Add(member);
                }
            }
            stale?.ForEach(member => scores.Remove(member));
        }

        /// <summary>ZCOUNT (minExclusive maxInclusive.</summary>
        public int Count(long minExclusive, long maxInclusive)
        {
            var count = 0;
            foreach (var score in scores.Values)
            {
                if (score > minExclusive && score <= maxInclusive)
                {
                    count++;
                }
            }
            return count;
        }

        /// <summary>ZREMRANGEBYRANK 0 (size - keep - 1): drops the oldest beyond <paramref name="keep"/>.</summary>
        public void TrimToLargest(int keep)
        {
            if (scores.Count <= keep)
            {
                return;
            }
            foreach (var (member, _) in scores.OrderBy(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal).Take(scores.Count - keep).ToList())
            {
                scores.Remove(member);
            }
        }
    }
}
