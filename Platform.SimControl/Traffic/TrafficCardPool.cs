using System.Net;
using Microsoft.Extensions.Options;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Traffic;

/// <summary>
/// The generator's own test cards: opened through the platform API like any operator would (an account with a large
/// limit, a virtual card, then waiting for the processor to issue it), remembered in Redis and reused by later runs
/// while the API still knows them as active.
/// </summary>
internal sealed partial class TrafficCardPool(IConnectionMultiplexer redis, IOptions<TrafficOptions> options, ILogger<TrafficCardPool> logger)
{
    public const string OwnerReference = "simcontrol-traffic";
    private const int Parallelism = 8;

    public async Task<IReadOnlyList<Guid>> EnsureAsync(PlatformApiClient api, int count, Action<int> progress, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var known = (await db.HashKeysAsync(SimRedisKeys.TrafficCards))
            .Select(k => Guid.TryParse(k.ToString(), out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();
        var ready = new List<Guid>(count);
        var gate = new Lock();

        // Known cards first: those the API still has as active are used again; the rest are forgotten.
        await Parallel.ForEachAsync(known.Take(count * 2), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (card, ct) =>
        {
            var answer = await api.GetAsync($"/v1/cards/{card}", ct);
            if (answer.IsSuccess && answer.Text("status") == "active")
            {
                lock (gate)
                {
                    if (ready.Count < count) ready.Add(card);
                    progress(ready.Count);
                }
            }
            else if (answer.Status == HttpStatusCode.NotFound || answer.Text("status") is "closed" or "failed")
            {
                await db.HashDeleteAsync(SimRedisKeys.TrafficCards, card.ToString());
            }
        });

        var missing = count - ready.Count;
        if (missing <= 0) return ready;
        await Parallel.ForEachAsync(Enumerable.Range(0, missing), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (_, ct) =>
        {
            var card = await OpenCardAsync(api, ct);
            await db.HashSetAsync(SimRedisKeys.TrafficCards, card.ToString(), "active");
            lock (gate)
            {
                ready.Add(card);
                progress(ready.Count);
            }
        });
        LogOpened(logger, missing, ready.Count);
        return ready;
    }

    private async Task<Guid> OpenCardAsync(PlatformApiClient api, CancellationToken cancellationToken)
    {
        var account = await api.PostAsync("/v1/accounts", new OpenAccount("USD", options.Value.CreditLimit, OwnerReference), null, cancellationToken);
        if (account.Status != HttpStatusCode.Created || !Guid.TryParse(account.Text("id"), out var accountId))
            throw new TrafficPreparationException($"Opening a test account answered {(int)account.Status}.");
        var issued = await api.PostAsync($"/v1/accounts/{accountId}/cards", new IssueCard("virtual", "SIM TRAFFIC"), Guid.NewGuid().ToString("N"), cancellationToken);
        if (issued.Status != HttpStatusCode.Accepted || !Guid.TryParse(issued.Text("id"), out var cardId))
            throw new TrafficPreparationException($"Requesting a test card answered {(int)issued.Status}.");
        // The processor issues it in the background; the card is usable once its webhook has made it active.
        for (var delay = 50; ; delay = Math.Min(delay * 2, 1_000))
        {
            var card = await api.GetAsync($"/v1/cards/{cardId}", cancellationToken);
            switch (card.Text("status"))
            {
                case "active":
                    return cardId;
                case "failed" or "closed":
                    throw new TrafficPreparationException($"The processor did not issue test card {cardId} ({card.Text("status")}).");
            }
            await Task.Delay(delay, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Traffic: opened {Opened} test cards ({Ready} ready)")]
    private static partial void LogOpened(ILogger logger, int opened, int ready);
}

/// <summary>The test cards could not be made ready; the run fails with this message.</summary>
internal sealed class TrafficPreparationException(string message) : Exception(message);
