using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Chaos.Workload;

/// <summary>
/// Before any fault: each caller becomes a customer the way a person would (registers, confirms the address from the
/// verification e-mail, signs in), the operator opens their accounts, and each account gets a virtual card.
/// </summary>
internal static partial class Onboarding
{
    public const string OperatorEmail = "operator@card-platform.local";

    public static async Task<IReadOnlyList<CustomerRecord>> OnboardAsync(ChaosOptions options, Uri api, string emailDirectory, ApiSession operatorSession,
        CancellationToken cancellationToken)
    {
        if (!await operatorSession.SignInAsync(null, cancellationToken)) throw new InvalidOperationException("The operator could not sign in.");
        var customers = await Task.WhenAll(Enumerable.Range(0, options.Callers).Select(i => OnboardOneAsync(options, api, emailDirectory, operatorSession, i, cancellationToken)));
        return customers;
    }

    private static async Task<CustomerRecord> OnboardOneAsync(ChaosOptions options, Uri api, string emailDirectory, ApiSession operatorSession, int index,
        CancellationToken cancellationToken)
    {
        var random = SeededRandom.For(options.Seed, "customer", index);
        var email = $"chaos-{options.Seed}-{index}@example.com";
        var password = $"Chaos-Passw0rd-{index}-{options.Seed}";
        var session = new ApiSession(api, email, password, options.RequestTimeout);
        Expect(await session.PostAsync("/v1/auth/register", JsonSerializer.Serialize(new { email, password }), null, cancellationToken), 200, "register");
        var link = ConfirmationLink().Match(await File.ReadAllTextAsync(Path.Combine(await SunkEmailAsync(emailDirectory, email, "verification", cancellationToken), "body.txt"), cancellationToken)).Value;
        Expect(await session.GetAsync(new Uri(link).PathAndQuery, cancellationToken), 200, "confirm e-mail");
        if (!await session.SignInAsync(null, cancellationToken)) throw new InvalidOperationException($"{email} could not sign in.");
        var me = Expect(await session.GetAsync("/v1/me", cancellationToken), 200, "me");
        var customer = new CustomerRecord(index, session, me.Text("userId")!);

        for (var a = 0; a < options.AccountsPerCaller; a++)
        {
            // Limits large enough that most purchases fit for the whole run: nothing in this platform pays a balance down.
            var limit = random.Between(2_000, 50_000) * 1_000L;
            var opened = Expect(await operatorSession.PostAsync("/v1/accounts", JsonSerializer.Serialize(new { currency = "USD", creditLimit = limit, ownerReference = customer.UserId }), null,
                cancellationToken), 201, "open account");
            var account = new AccountRecord(Guid.Parse(opened.Text("id")!), limit);
            customer.Accounts.Add(account);
            customer.AvailableCredit[account.Id] = limit;
            var body = JsonSerializer.Serialize(new { type = "virtual", cardholderName = $"CHAOS CUSTOMER {index}" });
            var card = new CardRecord($"chaos-{options.Seed}-card-{index}-{a}", body, account.Id);
            card.First = Expect(await session.PostAsync($"/v1/accounts/{account.Id}/cards", body, card.Key, cancellationToken), 202, "issue card");
            card.Id = Guid.Parse(card.First.Text("id")!);
            customer.Cards.Add(card);
        }
        foreach (var card in customer.Cards)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((card.Status = (await session.GetAsync($"/v1/cards/{card.Id}", cancellationToken)).Text("status")) != "active")
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Card {card.Id} did not become active.");
                await Task.Delay(100, cancellationToken);
            }
        }
        return customer;
    }

    private static Answer Expect(Answer answer, int status, string what) =>
        answer.Status == status ? answer : throw new InvalidOperationException($"Onboarding ({what}) expected {status}, got {answer}.");

    private static async Task<string> SunkEmailAsync(string directory, string recipient, string template, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var folder in Directory.GetDirectories(directory))
            {
                // Staging folders (".…tmp") become e-mails only when the sink renames them complete.
                if (Path.GetFileName(folder).StartsWith('.')) continue;
                var message = Path.Combine(folder, "message.json");
                if (!File.Exists(message)) continue;
                try
                {
                    using var document = JsonDocument.Parse(await File.ReadAllTextAsync(message, cancellationToken));
                    var m = document.RootElement;
                    if (m.GetProperty("template").GetString() == template && m.GetProperty("to").EnumerateArray().Any(t => t.GetString() == recipient)) return folder;
                }
                catch (Exception ex) when (ex is JsonException or IOException)
                {
                    // A message still being written (its folder is a temporary one): read it next time round.
                }
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"No {template} e-mail for {recipient}.");
    }

    [GeneratedRegex(@"https?://\S+confirmEmail\S+")]
    private static partial Regex ConfirmationLink();
}
