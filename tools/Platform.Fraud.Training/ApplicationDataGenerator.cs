using System.Globalization;
using Platform.Fraud.Features;

namespace Platform.Fraud.Training;

/// <summary>A generated application with its ground truth and, for fraud, the pattern that produced it.</summary>
internal sealed record LabelledApplication(ApplicationEvent Event, bool IsFraud, string Pattern);

/// <summary>
/// A synthetic stream of credit applications. Legitimate applicants have incomes that follow their age, SSNs
/// issued when people of their birth year got them (immigrants later), e-mail addresses that mostly carry their
/// name, and sometimes re-apply or share a household device. Fraud comes as:
/// <list type="bullet">
/// <item>synthetic identities: SSN issued before the stated birth date or in adulthood, non-name or disposable e-mail, short time at address, often several sharing a device;</item>
/// <item>identity theft: a real person's SSN with the fraudster's contacts, often a foreign IP, sometimes an altered date of birth, sometimes repeated;</item>
/// <item>application farms: one device and phone submitting many applications with different SSNs;</item>
/// <item>income implausible for age;</item>
/// <item>low-signal fraud that looks like anyone else.</item>
/// </list>
/// </summary>
internal static class ApplicationDataGenerator
{
    private const long Hour = VelocityWindows.Hour;
    private const long Day = VelocityWindows.Day;

    private static readonly string[] FirstNames =
    [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
        "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Lisa",
        "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Steven", "Emily", "Andrew", "Donna", "Joshua",
        "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Luis", "Maria", "Wei", "Aisha",
        "Carlos", "Sofia", "Omar", "Priya", "Noah", "Olivia",
    ];

    private static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
        "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
        "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Patel",
    ];

    private static readonly string[] Handles = ["sunny", "gamer", "blue", "wolf", "star", "dragon", "king", "queen", "ninja", "rocket", "pixel", "cash", "lucky", "shadow"];
    private static readonly string[] ForeignCountries = ["NG", "RU", "CN", "IN", "PH", "RO", "UA", "VN", "BR", "GB", "CA", "MX"];

    public static List<LabelledApplication> Generate(int seed, int applicants, int days)
    {
        var random = new SyntheticRandom(seed);
        var origin = TransactionDataGenerator.Epoch.ToUnixTimeMilliseconds();
        var applications = new List<(long At, LabelledApplication Application)>(applicants * 5 / 4);
        var people = new List<Person>(applicants);

        for (var i = 0; i < applicants; i++)
        {
            var person = Person.Draw(random, origin);
            people.Add(person);
            var at = random.Long(0, days * Day);
            if (i > 0 && random.Chance(0.04))
            {
                // A household: the same device and phone as someone else, a different SSN.
                var partner = people[random.Int(0, people.Count - 2)];
                person = person with { DeviceId = partner.DeviceId, Phone = partner.Phone };
            }
            applications.Add((at, Legit(random, person, at, origin, "legit")));
            if (random.Chance(0.06))
            {
                var again = at + random.Long(Hour, 20 * Day);
                var device = random.Chance(0.5) ? person.DeviceId : random.Id("dev-");
                applications.Add((again, Legit(random, person with { DeviceId = device }, again, origin, "legit-reapply")));
            }
        }

        var fraudEpisodes = (int)(applicants * 0.03);
        for (var i = 0; i < fraudEpisodes; i++)
        {
            var at = random.Long(0, days * Day);
            var kind = random.Pick<string>([("synthetic-identity", 0.3), ("identity-theft", 0.25), ("application-farm", 0.2),
                ("income-implausible", 0.12), ("low-signal", 0.13)]);
            foreach (var (when, application) in Fraud(random, kind, people, at, origin))
            {
                applications.Add((when, new LabelledApplication(application, true, kind)));
            }
        }

        return applications.OrderBy(a => a.At).Select(a => a.Application).ToList();
    }

    private static IEnumerable<(long At, ApplicationEvent Application)> Fraud(
        SyntheticRandom random, string kind, List<Person> people, long at, long origin)
    {
        switch (kind)
        {
            case "synthetic-identity":
            {
                // A ring shares a device (and often a phone); each member is a made-up person.
                var device = random.Id("dev-x-");
                var phone = Phone(random);
                for (var i = random.Chance(0.5) ? 1 : random.Int(2, 6); i > 0; i--)
                {
                    var person = Person.Draw(random, origin, minAge: 20, maxAge: 45);
                    var birthYear = person.DateOfBirth.Year;
                    int? issued = random.Chance(0.45) ? birthYear - random.Int(1, 15) : Math.Min(2025, birthYear + random.Int(22, 40));
                    var email = random.Chance(0.3) ? HandleEmail(random, random.Pick(EmailDomains.DisposableSamples))
                        : random.Chance(0.75) ? HandleEmail(random, random.Pick(EmailDomains.Common)) : person.Email;
                    var synthetic = person with
                    {
                        SsnIssuedYear = random.Chance(0.95) ? issued : null,
                        Email = email,
                        DeviceId = device,
                        Phone = random.Chance(0.5) ? phone : person.Phone,
                        MonthsAtAddress = random.Chance(0.6) ? random.Int(0, 12) : person.MonthsAtAddress,
                        IncomeMinor = (long)(person.IncomeMinor * random.Uniform(1.2, 3.5)),
                    };
                    yield return (at, Event(random, synthetic, at, origin, ipCountry: random.Chance(0.15) ? random.Pick(ForeignCountries) : "US"));
                    at += random.Long(Hour / 2, 3 * Day);
                }
                break;
            }
            case "identity-theft":
            {
                var victim = random.Chance(0.5) && people.Count > 0 ? people[random.Int(0, people.Count - 1)] : Person.Draw(random, origin);
                var stolen = victim with
                {
                    Email = random.Chance(0.7) ? HandleEmail(random, random.Pick(random.Chance(0.15) ? EmailDomains.DisposableSamples : EmailDomains.Common))
                        : NameEmail(random, victim.FirstName, victim.LastName),
                    Phone = Phone(random),
                    DeviceId = random.Chance(0.9) ? random.Id("dev-x-") : null,
                    MonthsAtAddress = random.Chance(0.5) ? random.Int(0, 6) : victim.MonthsAtAddress,
                    IncomeMinor = (long)(victim.IncomeMinor * random.Uniform(1, 2.5)),
                    DateOfBirth = random.Chance(0.25) ? victim.DateOfBirth.AddDays(random.Int(-900, 900)) : victim.DateOfBirth,
                };
                var ip = random.Chance(0.35) ? random.Pick(ForeignCountries) : "US";
                for (var i = random.Chance(0.4) ? random.Int(2, 4) : 1; i > 0; i--)
                {
                    yield return (at, Event(random, stolen with { IncomeMinor = (long)(stolen.IncomeMinor * random.Uniform(0.8, 1.3)) }, at, origin, ip));
                    at += random.Long(Hour / 4, 2 * Day);
                }
                break;
            }
            case "application-farm":
            {
                var device = random.Id("dev-x-");
                var phone = Phone(random);
                var email = random.Chance(0.5) ? HandleEmail(random, random.Pick(EmailDomains.Common)) : null;
                var ip = random.Chance(0.3) ? random.Pick(ForeignCountries) : "US";
                for (var i = random.Int(3, 12); i > 0; i--)
                {
                    var person = Person.Draw(random, origin);
                    yield return (at, Event(random, person with { DeviceId = device, Phone = phone, Email = email ?? person.Email }, at, origin, ip));
                    at += random.Long(Hour / 20, 8 * Hour);
                }
                break;
            }
            case "income-implausible":
            {
                var person = Person.Draw(random, origin, minAge: 18, maxAge: 26);
                var inflated = person with
                {
                    IncomeMinor = random.Long(15_000_000, 60_000_000),
                    Email = random.Chance(0.4) ? HandleEmail(random, random.Pick(EmailDomains.Common)) : person.Email,
                };
                yield return (at, Event(random, inflated, at, origin, "US"));
                break;
            }
            default:
            {
                var person = Person.Draw(random, origin);
                yield return (at, Event(random, person with { DeviceId = random.Id("dev-x-") }, at, origin, "US"));
                break;
            }
        }
    }

    private static LabelledApplication Legit(SyntheticRandom random, Person person, long at, long origin, string pattern) =>
        new(Event(random, person, at, origin, random.Chance(0.03) ? random.Pick(ForeignCountries) : "US"), false, pattern);

    private static ApplicationEvent Event(SyntheticRandom random, Person person, long at, long origin, string? ipCountry) =>
        new(random.Id("app-"), person.FirstName, person.LastName, person.DateOfBirth, person.Ssn, person.SsnIssuedYear,
            person.Email, person.Phone, "US", person.MonthsAtAddress, person.IncomeMinor,
            random.Chance(0.9) ? ipCountry : null, person.DeviceId, origin + at);

    private static string Phone(SyntheticRandom random) =>
        "1" + random.Long(2_000_000_000, 9_899_999_999).ToString(CultureInfo.InvariantCulture);

    private static string Ssn(SyntheticRandom random) =>
        random.Int(1, 665).ToString("000", CultureInfo.InvariantCulture)
        + random.Int(1, 99).ToString("00", CultureInfo.InvariantCulture)
        + random.Int(1, 9999).ToString("0000", CultureInfo.InvariantCulture);

    private static string NameEmail(SyntheticRandom random, string first, string last)
    {
        var f = first.ToLowerInvariant();
        var l = last.ToLowerInvariant();
        var local = random.Int(0, 3) switch
        {
            0 => $"{f}.{l}",
            1 => $"{f}{l}{random.Int(1, 99)}",
            2 => $"{f[0]}{l}{random.Int(60, 99)}",
            _ => $"{f}_{l[0]}{random.Int(1, 999)}",
        };
        return local + "@" + random.Pick(EmailDomains.Common);
    }

    private static string HandleEmail(SyntheticRandom random, string domain) =>
        $"{random.Pick(Handles)}{random.Pick(Handles)}{random.Int(1, 9999)}@{domain}";

    private sealed record Person(string FirstName, string LastName, DateOnly DateOfBirth, string Ssn, int? SsnIssuedYear,
        string Email, string Phone, int? MonthsAtAddress, long IncomeMinor, string? DeviceId)
    {
        public static Person Draw(SyntheticRandom random, long origin, int minAge = 18, int maxAge = 85)
        {
            var first = random.Pick(FirstNames);
            var last = random.Pick(LastNames);
            var today = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(origin).UtcDateTime);
            // Ages cluster in the thirties and forties, as credit applicants do.
            var age = Math.Clamp(random.Normal(40, 14), minAge, maxAge);
            var dateOfBirth = today.AddDays(-(int)(age * 365.25) - random.Int(0, 364));
            var birthYear = dateOfBirth.Year;
            var issued = birthYear >= ApplicationFeatures.EnumerationAtBirthSince ? birthYear + random.Int(0, 1)
                : random.Chance(0.07) ? birthYear + random.Int(20, 45) // arrived as an adult
                : birthYear + random.Int(13, 22);
            var realAge = (today.DayNumber - dateOfBirth.DayNumber) / 365.25f;
            var income = ApplicationFeatures.MedianIncomeThousandsForAge(realAge) * random.LogNormal(1, 0.55) * 100_000;
            return new Person(first, last, dateOfBirth, ApplicationDataGenerator.Ssn(random),
                random.Chance(0.85) ? Math.Min(issued, today.Year) : null,
                random.Chance(0.75) ? NameEmail(random, first, last)
                    : HandleEmail(random, random.Pick(random.Chance(0.01) ? EmailDomains.DisposableSamples : EmailDomains.Common)),
                ApplicationDataGenerator.Phone(random),
                random.Chance(0.9) ? (int)Math.Clamp(random.LogNormal(40, 0.9), 0, 600) : null,
                (long)income,
                random.Chance(0.9) ? random.Id("dev-") : null);
        }
    }
}
