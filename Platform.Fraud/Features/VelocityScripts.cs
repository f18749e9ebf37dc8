namespace Platform.Fraud.Features;

/// <summary>
/// The Lua scripts that read and update velocity in one atomic step. <see cref="InMemoryVelocityStore"/> is their
/// C# twin (training and tests); a test runs both over the same events and compares.
/// Timestamps are epoch milliseconds of the event; a window is (now - window, now].
/// Retrying with the same event id is safe: the event is removed and added again, and totals are not counted twice.
/// </summary>
internal static class VelocityScripts
{
    /// <summary>
    /// KEYS: transactions, merchants, countries, devices, stats.
    /// ARGV: now, amount, member ("eventId|amount"), merchant, country, device (or ""), small amount, max events.
    /// </summary>
    public const string Transaction = """
        local now = tonumber(ARGV[1])
        local amount = tonumber(ARGV[2])
        local member = ARGV[3]
        local small = tonumber(ARGV[7])
        local maxEvents = tonumber(ARGV[8])
        local minute, hour, day, memory = 60000, 3600000, 86400000, 7776000000

        local retry = redis.call('ZREM', KEYS[1], member)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - day)
        local events = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - day), now, 'WITHSCORES')
        local c1m, c1h, c24, s1m, s1h, s24, small1h = 0, 0, 0, 0, 0, 0, 0
        for i = 1, #events, 2 do
          local ts = tonumber(events[i + 1])
          local a = tonumber(string.match(events[i], '|(%d+)$'))
          c24 = c24 + 1
          s24 = s24 + a
          if ts > now - hour then
            c1h = c1h + 1
            s1h = s1h + a
            if a <= small then small1h = small1h + 1 end
            if ts > now - minute then
              c1m = c1m + 1
              s1m = s1m + a
            end
          end
        end
        redis.call('ZADD', KEYS[1], now, member)
        local size = redis.call('ZCARD', KEYS[1])
        if size > maxEvents then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - maxEvents - 1) end
        redis.call('PEXPIRE', KEYS[1], day)

        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - day)
        local merchants = redis.call('ZCOUNT', KEYS[2], '(' .. (now - day), now)
        redis.call('ZADD', KEYS[2], 'GT', now, ARGV[4])
        redis.call('PEXPIRE', KEYS[2], day)

        local stats = redis.call('HMGET', KEYS[5], 'n', 'sum', 'last')
        local n = tonumber(stats[1]) or 0
        local sum = tonumber(stats[2]) or 0
        local last = tonumber(stats[3]) or -1
        if retry == 1 then
          n = n - 1
          sum = sum - amount
        end

        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - memory)
        local countries = redis.call('ZCOUNT', KEYS[3], '(' .. (now - day), now)
        local newCountry = 0
        if n > 0 and not redis.call('ZSCORE', KEYS[3], ARGV[5]) then newCountry = 1 end
        redis.call('ZADD', KEYS[3], 'GT', now, ARGV[5])
        redis.call('PEXPIRE', KEYS[3], memory)

        local newDevice = 0
        if ARGV[6] ~= '' then
          redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - memory)
          if n > 0 and not redis.call('ZSCORE', KEYS[4], ARGV[6]) then newDevice = 1 end
          redis.call('ZADD', KEYS[4], 'GT', now, ARGV[6])
          redis.call('PEXPIRE', KEYS[4], memory)
        end

        if retry == 0 then
          redis.call('HINCRBY', KEYS[5], 'n', 1)
          redis.call('HINCRBY', KEYS[5], 'sum', ARGV[2])
          if now > last then redis.call('HSET', KEYS[5], 'last', ARGV[1]) end
        end
        redis.call('PEXPIRE', KEYS[5], memory)

        return {c1m, c1h, c24, s1m, s1h, s24, small1h, merchants, countries, newDevice, newCountry, n, sum, last}
        """;

    /// <summary>
    /// KEYS: ssn apps, e-mail apps, phone apps, device apps, ssn identities, ssn e-mails, ssn phones,
    /// e-mail ssns, phone ssns, device ssns. ARGV: now, member (event id), ssn, identity, e-mail, phone, has device.
    /// </summary>
    public const string Application = """
        local now = tonumber(ARGV[1])
        local member = ARGV[2]
        local day, window, memory = 86400000, 2592000000, 31536000000

        local function apps(key)
          redis.call('ZREM', key, member)
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
          local c24 = redis.call('ZCOUNT', key, '(' .. (now - day), now)
          local c30 = redis.call('ZCOUNT', key, '(' .. (now - window), now)
          redis.call('ZADD', key, now, member)
          redis.call('PEXPIRE', key, window)
          return c24, c30
        end

        local function others(key, self, keep)
          local since = now - keep
          redis.call('ZREMRANGEBYSCORE', key, '-inf', since)
          local c = redis.call('ZCOUNT', key, '(' .. since, now)
          local s = redis.call('ZSCORE', key, self)
          if s and tonumber(s) <= now then c = c - 1 end
          redis.call('ZADD', key, 'GT', now, self)
          redis.call('PEXPIRE', key, keep)
          return c
        end

        local ssn24, ssn30 = apps(KEYS[1])
        local _, email30 = apps(KEYS[2])
        local _, phone30 = apps(KEYS[3])
        local dev24, dev30 = 0, 0
        local linked = math.max(others(KEYS[8], ARGV[3], window), others(KEYS[9], ARGV[3], window))
        if ARGV[7] == '1' then
          dev24, dev30 = apps(KEYS[4])
          linked = math.max(linked, others(KEYS[10], ARGV[3], window))
        end
        local mismatch = 0
        if others(KEYS[5], ARGV[4], memory) > 0 then mismatch = 1 end
        local contacts = others(KEYS[6], ARGV[5], window) + others(KEYS[7], ARGV[6], window)

        return {ssn24, ssn30, email30, phone30, dev24, dev30, linked, mismatch, contacts}
        """;
}
