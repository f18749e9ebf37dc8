using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Chaos.Workload;

/// <summary>Hands out operation indexes in order and holds an operation back until the faults due before it have begun.</summary>
internal interface IOperationGate
{
    Task<int?> NextAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One customer spending: each operation it takes from the gate is drawn from the seed by its index (kind, amounts,
/// shares), aimed at what this customer has, and its answer checked at once: replays must repeat the first answer,
/// a reused key with another body must be refused, and a valid request never gets a 400 or 404.
/// </summary>
internal sealed class Caller(CustomerRecord customer, ChaosOptions options, Observations seen, IOperationGate gate)
{
    private static readonly string[] Mccs = ["5411", "5812", "5999", "4111", "5732", "5541"];
    private ApiSession Session => customer.Session;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (await gate.NextAsync(cancellationToken) is int index)
        {
            var random = SeededRandom.For(options.Seed, "operation", index);
            var kind = OperationMix.Pick(random);
            seen.Operation(kind.Name());
            try
            {
                await ExecuteAsync(kind, index, random, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A fault in the harness itself: reported (and failing the run), without stopping the other operations.
                seen.Violate("harness ran cleanly", $"operation {index} ({kind.Name()}): {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private Task ExecuteAsync(OperationKind kind, int index, Random random, CancellationToken cancellationToken) => kind switch
    {
        OperationKind.AuthorizeFresh => AuthorizeAsync(index, random, overLimit: false, cancellationToken),
        OperationKind.AuthorizeOverLimit => AuthorizeAsync(index, random, overLimit: true, cancellationToken),
        OperationKind.AuthorizeReplay => ReplayAuthorizationAsync(index, random, cancellationToken),
        OperationKind.AuthorizeReusedKey => ReuseKeyAsync(index, random, cancellationToken),
        OperationKind.CaptureFull => CaptureAsync(index, random, partial: false, again: false, cancellationToken),
        OperationKind.CapturePartial => CaptureAsync(index, random, partial: true, again: false, cancellationToken),
        OperationKind.CaptureAgain => CaptureAsync(index, random, partial: true, again: true, cancellationToken),
        OperationKind.Void => VoidAsync(index, random, cancellationToken),
        OperationKind.RefundPartial => RefundAsync(index, random, partial: true, cancellationToken),
        OperationKind.RefundFull => RefundAsync(index, random, partial: false, cancellationToken),
        OperationKind.OperationReplay => ReplayOperationAsync(index, random, cancellationToken),
        OperationKind.IssueCard => IssueCardAsync(index, random, cancellationToken),
        _ => ReadAsync(random, cancellationToken),
    };

    private async Task AuthorizeAsync(int index, Random random, bool overLimit, CancellationToken cancellationToken)
    {
        // Only cards whose id the customer was told (a card request whose answer was lost is read back in the heal).
        var known = customer.Cards.Where(c => c.Id is not null).ToList();
        var active = known.Where(c => c.Status == "active").ToList();
        var card = active.Count > 0 && random.NextDouble() < 0.95 ? random.Pick(active) : random.Pick(known);
        var draw = random.NextDouble();
        var amount = overLimit ? customer.AvailableCredit.GetValueOrDefault(card.AccountId) + random.Between(1, 5_000)
            : draw < 0.75 ? random.Between(100, 4_000)
            : draw < 0.95 ? random.Between(4_000, 30_000)
            : random.Between(30_000, 400_000);
        // The merchant name carries the run and the index, so processor-sim's record of this request can be found.
        var merchant = $"Chaos {options.Seed}-{index}";
        var body = JsonSerializer.Serialize(new
        {
            cardId = card.Id, amount, currency = "USD",
            merchant = new { name = merchant, mcc = random.Pick(Mccs), country = "US" },
            channel = random.NextDouble() < 0.3 ? "ecommerce" : "pos",
        });
        var record = new AuthorizationRecord(index, $"chaos-{options.Seed}-auth-{index}", body, card.Id!.Value, card.AccountId, amount, merchant);
        customer.Authorizations.Add(record);
        var answer = await Session.PostAsync("/v1/authorizations", body, record.Key, cancellationToken);
        Authorized(record, answer, replay: false, duringRun: true);
    }

    /// <summary>Takes in an authorize answer: the first conclusive one is kept, later ones must repeat it exactly.</summary>
    public void Authorized(AuthorizationRecord record, Answer answer, bool replay, bool duringRun)
    {
        seen.Saw("POST /v1/authorizations", answer);
        if (answer.Inconclusive) return;
        if (duringRun) seen.Conclusive();
        if (answer.Status == 409 && replay) return; // the first request with this key is still being decided (or abandoned, until swept)
        if (answer.Status != 200 || answer.Body is not { } body)
        {
            seen.Violate("unexpected answer", $"authorize {record.Key}: {answer}");
            return;
        }
        if (record.First is null)
        {
            record.First = answer;
            record.AnsweredDuringRun = duringRun;
            seen.Decision(body);
            var approved = body.GetProperty("approvedAmount").GetInt64();
            if (body.GetProperty("status").GetString() is not ("approved" or "declined") || approved > record.Amount || (record.Status == "approved") != (approved > 0))
                seen.Violate("unexpected answer", $"authorize {record.Key}: {answer}");
            customer.AvailableCredit[record.AccountId] = body.GetProperty("availableCredit").GetInt64();
        }
        else if (!JsonEquality.Same(record.First.Body, body))
        {
            seen.Violate("replay identical", $"authorize {record.Key}: first {record.First.Body?.GetRawText()}, replay {body.GetRawText()}");
        }
    }

    private async Task ReplayAuthorizationAsync(int index, Random random, CancellationToken cancellationToken)
    {
        if (customer.Authorizations.Count == 0) { await AuthorizeAsync(index, random, false, cancellationToken); return; }
        var record = random.Pick(customer.Authorizations);
        Authorized(record, await Session.PostAsync("/v1/authorizations", record.Body, record.Key, cancellationToken), replay: true, duringRun: true);
    }

    private async Task ReuseKeyAsync(int index, Random random, CancellationToken cancellationToken)
    {
        var used = customer.Authorizations.Where(a => a.First is not null).ToList();
        if (used.Count == 0) { await AuthorizeAsync(index, random, false, cancellationToken); return; }
        var record = random.Pick(used);
        var other = JsonNode.Parse(record.Body)!.AsObject();
        other["amount"] = record.Amount + random.Between(1, 500);
        var answer = await Session.PostAsync("/v1/authorizations", other.ToJsonString(), record.Key, cancellationToken);
        seen.Saw("POST /v1/authorizations (reused key)", answer);
        if (answer.Inconclusive) return;
        seen.Conclusive();
        if (answer.Status != 422) seen.Violate("reused key refused", $"authorize {record.Key} with another body: {answer}");
    }

    private async Task CaptureAsync(int index, Random random, bool partial, bool again, CancellationToken cancellationToken)
    {
        var candidates = customer.Authorizations.Where(a => a.Status == "approved" && !a.VoidRequested && a.ApprovedAmount > a.CaptureRequested
            && (!again || a.CaptureRequested > 0)).ToList();
        if (candidates.Count == 0) { await ReadAsync(random, cancellationToken); return; }
        var auth = random.Pick(candidates);
        var remaining = auth.ApprovedAmount - auth.CaptureRequested;
        long? amount = partial ? Math.Max(1, (long)(remaining * (0.2 + random.NextDouble() * 0.5))) : null;
        var body = amount is null ? "{}" : JsonSerializer.Serialize(new { amount });
        var operation = new OperationRecord("capture", $"chaos-{options.Seed}-op-{index}", $"/v1/authorizations/{auth.Id}/capture", body, auth.Id!.Value, null);
        if (await RequestAsync(operation, cancellationToken) is { Status: 202 }) auth.CaptureRequested += amount ?? remaining;
    }

    private async Task VoidAsync(int index, Random random, CancellationToken cancellationToken)
    {
        var candidates = customer.Authorizations.Where(a => a.Status == "approved" && !a.VoidRequested && a.CaptureRequested == 0).ToList();
        if (candidates.Count == 0) { await ReadAsync(random, cancellationToken); return; }
        var auth = random.Pick(candidates);
        var operation = new OperationRecord("void", $"chaos-{options.Seed}-op-{index}", $"/v1/authorizations/{auth.Id}/void", null, auth.Id!.Value, null);
        if (await RequestAsync(operation, cancellationToken) is { Status: 202 }) auth.VoidRequested = true;
    }

    private async Task RefundAsync(int index, Random random, bool partial, CancellationToken cancellationToken)
    {
        var captures = customer.Operations.Where(o => o.Kind == "capture" && o.OperationId is not null).ToList();
        if (captures.Count == 0) { await ReadAsync(random, cancellationToken); return; }
        var capture = random.Pick(captures);
        // Only a posted purchase can be refunded: read it first, as a customer's app would.
        var details = await Session.GetAsync($"/v1/authorizations/{capture.AuthorizationId}", cancellationToken);
        if (!Read("GET /v1/authorizations/{id}", details, countsAsOperation: false)) return;
        var posted = details.Body!.Value.GetProperty("operations").EnumerateArray().FirstOrDefault(o => o.GetProperty("id").GetGuid() == capture.OperationId);
        if (posted.ValueKind != JsonValueKind.Object || posted.GetProperty("status").GetString() != "succeeded")
        {
            // Not posted yet: this operation was a read.
            seen.Conclusive();
            return;
        }
        long? amount = partial ? Math.Max(1, (long)(posted.GetProperty("amount").GetInt64() * (0.1 + random.NextDouble() * 0.4))) : null;
        var body = amount is null ? "{}" : JsonSerializer.Serialize(new { amount });
        await RequestAsync(new OperationRecord("refund", $"chaos-{options.Seed}-op-{index}", $"/v1/transactions/{capture.OperationId}/refund", body, capture.AuthorizationId,
            capture.OperationId), cancellationToken);
    }

    private async Task<Answer> RequestAsync(OperationRecord operation, CancellationToken cancellationToken)
    {
        customer.Operations.Add(operation);
        var answer = await Session.PostAsync(operation.Path, operation.Body, operation.Key, cancellationToken);
        Requested(operation, answer, replay: false, duringRun: true);
        return answer;
    }

    /// <summary>Takes in a capture, void or refund answer: 202 (recorded) or 409 (not allowed now); replays must repeat the first.</summary>
    public void Requested(OperationRecord operation, Answer answer, bool replay, bool duringRun)
    {
        seen.Saw($"POST {operation.Kind}", answer);
        if (answer.Inconclusive || InProgress(answer)) return;
        if (answer.Status is not (202 or 409))
        {
            seen.Violate("unexpected answer", $"{operation.Kind} {operation.Key}: {answer}");
            return;
        }
        if (duringRun) seen.Conclusive();
        if (operation.First is null)
        {
            operation.First = answer;
            operation.AnsweredDuringRun = duringRun;
        }
        else if (replay && (operation.First.Status != answer.Status || (answer.Status == 202 && !JsonEquality.Same(operation.First.Body, answer.Body))))
        {
            seen.Violate("replay identical", $"{operation.Kind} {operation.Key}: first {operation.First}, replay {answer}");
        }
    }

    /// <summary>The API's answer to a key whose first request is still being worked on: no outcome yet.</summary>
    private static bool InProgress(Answer answer) => answer.Status == 409 && answer.Text("title") == "Request in progress";

    private async Task ReplayOperationAsync(int index, Random random, CancellationToken cancellationToken)
    {
        var accepted = customer.Operations.Where(o => o.First is { Status: 202 }).ToList();
        if (accepted.Count == 0) { await ReadAsync(random, cancellationToken); return; }
        var operation = random.Pick(accepted);
        Requested(operation, await Session.PostAsync(operation.Path, operation.Body, operation.Key, cancellationToken), replay: true, duringRun: true);
    }

    private async Task IssueCardAsync(int index, Random random, CancellationToken cancellationToken)
    {
        var account = random.Pick(customer.Accounts);
        var body = JsonSerializer.Serialize(new { type = random.NextDouble() < 0.7 ? "virtual" : "physical", cardholderName = $"CHAOS CUSTOMER {customer.Index}" });
        var card = new CardRecord($"chaos-{options.Seed}-card-op-{index}", body, account.Id);
        customer.Cards.Add(card);
        var answer = await Session.PostAsync($"/v1/accounts/{account.Id}/cards", body, card.Key, cancellationToken);
        CardRequested(card, answer, duringRun: true);
    }

    public void CardRequested(CardRecord card, Answer answer, bool duringRun)
    {
        seen.Saw("POST /v1/accounts/{id}/cards", answer);
        if (answer.Inconclusive) return;
        if (answer.Status != 202) { seen.Violate("unexpected answer", $"issue card {card.Key}: {answer}"); return; }
        if (duringRun) seen.Conclusive();
        card.First ??= answer;
        card.Id ??= Guid.Parse(answer.Text("id")!);
        card.Status = answer.Text("status");
    }

    private async Task ReadAsync(Random random, CancellationToken cancellationToken)
    {
        var draw = random.NextDouble();
        if (draw < 0.3 || customer.Authorizations.All(a => a.Id is null))
        {
            var account = random.Pick(customer.Accounts);
            var answer = await Session.GetAsync($"/v1/accounts/{account.Id}", cancellationToken);
            if (Read("GET /v1/accounts/{id}", answer)) customer.AvailableCredit[account.Id] = answer.Body!.Value.GetProperty("availableCredit").GetInt64();
        }
        else if (draw < 0.5)
        {
            Read("GET /v1/accounts/{id}/transactions", await Session.GetAsync($"/v1/accounts/{random.Pick(customer.Accounts).Id}/transactions?limit=20", cancellationToken));
        }
        else if (draw < 0.8)
        {
            var known = customer.Authorizations.Where(a => a.Id is not null).ToList();
            Read("GET /v1/authorizations/{id}", await Session.GetAsync($"/v1/authorizations/{random.Pick(known).Id}", cancellationToken));
        }
        else
        {
            var cards = customer.Cards.Where(c => c.Id is not null).ToList();
            var card = random.Pick(cards);
            var answer = await Session.GetAsync($"/v1/cards/{card.Id}", cancellationToken);
            if (Read("GET /v1/cards/{id}", answer)) card.Status = answer.Text("status");
        }
    }

    private bool Read(string request, Answer answer, bool countsAsOperation = true)
    {
        seen.Saw(request, answer);
        if (answer.Inconclusive) return false;
        if (countsAsOperation) seen.Conclusive();
        if (answer.Status == 200) return true;
        seen.Violate("unexpected answer", $"{request}: {answer}");
        return false;
    }
}
