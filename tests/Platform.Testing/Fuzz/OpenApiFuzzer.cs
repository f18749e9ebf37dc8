using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Testing.Fuzz;

/// <summary>One malformed request and why it must be refused.</summary>
public sealed record FuzzCase(string Operation, string Mutation, HttpMethod Method, string Url, byte[]? Body, string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers, bool Anonymous)
{
    public override string ToString() => $"{Method} {Url} [{Mutation}]";
}

/// <summary>What one case got back.</summary>
public sealed record FuzzAnswer(FuzzCase Case, int Status, string? ContentType, string Body)
{
    /// <summary>Why the answer is not the clear 4xx problem a malformed request deserves, or null when it is.</summary>
    public string? Problem() =>
        Status is >= 500 ? $"{Status}: a server error"
        : Status == 405 ? "405: method not allowed"
        : Status is < 400 ? $"{Status}: accepted a malformed request"
        : ContentType != "application/problem+json" ? $"{Status} as {ContentType ?? "no content type"}, not application/problem+json"
        : ProblemStatus() != Status ? $"{Status} with a problem body whose status is {ProblemStatus()?.ToString() ?? "missing"}"
        : null;

    private int? ProblemStatus()
    {
        try
        {
            return JsonNode.Parse(Body)?["status"]?.GetValue<int>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// Malformed requests generated from a service's own OpenAPI document, so a new endpoint is covered without touching
/// the tests. Every case is invalid by construction (a body that is not JSON or not the declared shape, a wrong-typed
/// route or query value, a refused media type or host), so a correct service refuses each with a 4xx problem and
/// writes nothing; hostile headers and huge values ride along. The same seed gives the same cases.
/// </summary>
public sealed class OpenApiFuzzer
{
    private static readonly HttpMethod[] BodyMethods = [HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch];
    private readonly List<Operation> operations;
    private readonly Random random;

    public OpenApiFuzzer(string openApiDocument, int seed)
    {
        random = new Random(seed);
        var document = JsonNode.Parse(openApiDocument)!.AsObject();
        var schemas = document["components"]?["schemas"]?.AsObject();
        operations = [];
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operationNode) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description") continue;
                operations.Add(Operation.Read(path, new HttpMethod(method.ToUpperInvariant()), operationNode!.AsObject(), schemas));
            }
        }
    }

    /// <summary>The operations the document describes, and those no malformed request can be built for.</summary>
    public IReadOnlyList<string> Operations => [.. operations.Select(o => o.Name)];

    public IReadOnlyList<string> NotFuzzable => [.. operations.Where(o => !o.CanBeMalformed).Select(o => o.Name)];

    /// <summary>At least <paramref name="count"/> cases, spread over every operation that can be malformed.</summary>
    public IReadOnlyList<FuzzCase> Generate(int count)
    {
        var fuzzable = operations.Where(o => o.CanBeMalformed).ToList();
        if (fuzzable.Count == 0) throw new InvalidOperationException("The document has no operation a malformed request can be built for.");
        var cases = new List<FuzzCase>(count);
        for (var i = 0; cases.Count < count; i++) cases.Add(Malform(fuzzable[i % fuzzable.Count]));
        return cases;
    }

    private FuzzCase Malform(Operation operation)
    {
        var ways = new List<Func<Operation, FuzzCase>>();
        if (operation.Body is not null)
        {
            ways.Add(BrokenJson);
            ways.Add(WrongTopLevel);
            if (operation.Body.Properties.Count > 0) ways.Add(WrongTypedProperty);
            ways.Add(UnsupportedMediaType);
            ways.Add(BadEncoding);
            if (operation.BodyRequired) ways.Add(EmptyBody);
        }
        if (operation.Parameters.Any(p => p.In == "query" && p.Kind.IsTyped)) ways.Add(WrongTypedQuery);
        if (operation.Parameters.Any(p => p.In == "path" && p.Kind.IsTyped)) ways.Add(WrongTypedRoute);
        if (ways.Count > 0 && random.Next(10) == 0) ways.Add(ForgedHost);
        var fuzzCase = ways[random.Next(ways.Count)](operation);
        return WithHostileHeaders(fuzzCase);
    }

    private FuzzCase BrokenJson(Operation o)
    {
        string[] broken = ["{bad", "{\"a\":1,}", "{", "}", "nul", "{\"a\": \"unterminated", "{\"a\":\u0001}", "{'single':'quotes'}", "{\"a\" 1}",
            new string('[', 5_000), "{\"a\":" + new string('9', 100_000) + "x}"];
        return Case(o, "broken JSON", Encoding.UTF8.GetBytes(broken[random.Next(broken.Length)]));
    }

    private FuzzCase WrongTopLevel(Operation o)
    {
        string[] values = ["[]", "\"a string\"", "42", "true", "[{}]"];
        return Case(o, "wrong top-level type", Encoding.UTF8.GetBytes(values[random.Next(values.Length)]));
    }

    private FuzzCase WrongTypedProperty(Operation o)
    {
        var body = o.Body!.Skeleton(random, depth: 0);
        // A property that takes any JSON (a free-form object) cannot be given a wrong type; the others can.
        var typed = o.Body.Properties.Where(p => p.Value.Kind != ValueKind.Any).ToList();
        if (typed.Count == 0) return BrokenJson(o);
        var (name, schema) = typed[random.Next(typed.Count)];
        var wrong = schema.WrongValue(random);
        body[name] = wrong;
        // A huge string elsewhere in the same body, now and then: size is no excuse for a 500.
        var strings = o.Body.Properties.Where(p => p.Key != name && p.Value.Kind == ValueKind.String).ToList();
        if (strings.Count > 0 && random.Next(4) == 0) body[strings[random.Next(strings.Count)].Key] = new string('x', 200_000);
        return Case(o, $"{name} as {Describe(wrong)}", Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    private FuzzCase UnsupportedMediaType(Operation o)
    {
        string[] types = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"];
        var type = types[random.Next(types.Length)];
        return Case(o, "media type " + type, Encoding.UTF8.GetBytes(o.Body!.Skeleton(random, 0).ToJsonString()), type);
    }

    private FuzzCase BadEncoding(Operation o)
    {
        var json = o.Body!.Skeleton(random, 0).ToJsonString();
        return random.Next(3) switch
        {
            0 => Case(o, "UTF-16 body", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(json)]),
            1 => Case(o, "invalid UTF-8", [.. Encoding.UTF8.GetBytes(json[..^1]), 0xC3, 0x28, (byte)'}']),
            _ => LoneSurrogate(o, json),
        };
    }

    private FuzzCase LoneSurrogate(Operation o, string skeleton)
    {
        var strings = o.Body!.Properties.Where(p => p.Value.Kind == ValueKind.String).Select(p => p.Key).ToList();
        if (strings.Count == 0) return Case(o, "lone surrogate", Encoding.UTF8.GetBytes("\"\\ud800\""));
        var body = JsonNode.Parse(skeleton)!.AsObject();
        var name = strings[random.Next(strings.Count)];
        body.Remove(name);
        var text = body.ToJsonString();
        text = (text.Length > 2 ? text[..^1] + "," : "{") + $"\"{name}\":\"\\ud800x\"}}";
        return Case(o, $"{name} with a lone surrogate", Encoding.UTF8.GetBytes(text));
    }

    private FuzzCase EmptyBody(Operation o) => Case(o, "empty body", []);

    private FuzzCase WrongTypedQuery(Operation o)
    {
        var typed = o.Parameters.Where(p => p.In == "query" && p.Kind.IsTyped).ToList();
        var parameter = typed[random.Next(typed.Count)];
        var value = parameter.Kind.WrongText(random);
        return Case(o, $"query {parameter.Name}={Truncate(value)}", o.Body is null ? null : Encoding.UTF8.GetBytes(o.Body.Skeleton(random, 0).ToJsonString()),
            query: new() { [parameter.Name] = value });
    }

    private FuzzCase WrongTypedRoute(Operation o)
    {
        var typed = o.Parameters.Where(p => p.In == "path" && p.Kind.IsTyped).ToList();
        var parameter = typed[random.Next(typed.Count)];
        var value = parameter.Kind.WrongText(random);
        return Case(o, $"route {parameter.Name}={Truncate(value)}", o.Body is null ? null : Encoding.UTF8.GetBytes(o.Body.Skeleton(random, 0).ToJsonString()),
            route: new() { [parameter.Name] = value });
    }

    private FuzzCase ForgedHost(Operation o)
    {
        var fuzzCase = Case(o, "forged Host", o.Body is null ? null : Encoding.UTF8.GetBytes(o.Body.Skeleton(random, 0).ToJsonString()));
        return fuzzCase with { Headers = [.. fuzzCase.Headers, new("Host", "evil.example")] };
    }

    private FuzzCase WithHostileHeaders(FuzzCase fuzzCase)
    {
        var headers = fuzzCase.Headers.ToList();
        switch (random.Next(8))
        {
            case 0: headers.Add(new("Accept", "text/html")); break;
            case 1: headers.Add(new("Accept", "application/xml")); break;
            case 2: headers.Add(new("Idempotency-Key", new string('k', 8_000))); break;
            case 3: headers.Add(new("X-Sim-Scenario", "approve=maybe;latency=-1;" + new string('z', 2_000))); break;
            case 4: headers.Add(new("User-Agent", new string('u', 4_000))); break;
        }
        // One case in eight comes from a caller who has not signed in: it must be refused as clearly.
        return fuzzCase with { Headers = headers, Anonymous = random.Next(8) == 0 };
    }

    private FuzzCase Case(Operation o, string mutation, byte[]? body, string contentType = "application/json",
        Dictionary<string, string>? query = null, Dictionary<string, string>? route = null)
    {
        var path = o.Path;
        foreach (var parameter in o.Parameters.Where(p => p.In == "path"))
        {
            var value = route is not null && route.TryGetValue(parameter.Name, out var v) ? v : parameter.Kind.ValidText(random);
            path = path.Replace("{" + parameter.Name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }
        var url = query is null ? path : path + "?" + string.Join("&", query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        List<KeyValuePair<string, string>> headers = [new("Idempotency-Key", Guid.NewGuid().ToString("N"))];
        return new FuzzCase(o.Name, mutation, o.Method, url, body, body is null ? null : contentType, headers, Anonymous: false);
    }

    private static string Describe(JsonNode? value) => value is null ? "null" : Truncate(value.ToJsonString());

    private static string Truncate(string value) => value.Length > 40 ? value[..40] + "…" : value;

    /// <summary>Sends the cases one after another and collects the answers.</summary>
    public static async Task<IReadOnlyList<FuzzAnswer>> RunAsync(IReadOnlyList<FuzzCase> cases, HttpClient signedIn, HttpClient anonymous)
    {
        var answers = new List<FuzzAnswer>(cases.Count);
        foreach (var fuzzCase in cases)
        {
            using var request = new HttpRequestMessage(fuzzCase.Method, fuzzCase.Url);
            if (fuzzCase.Body is not null)
            {
                request.Content = new ByteArrayContent(fuzzCase.Body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzzCase.ContentType);
            }
            foreach (var (name, value) in fuzzCase.Headers)
            {
                if (name == "Host") request.Headers.Host = value;
                else request.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await (fuzzCase.Anonymous ? anonymous : signedIn).SendAsync(request);
            answers.Add(new FuzzAnswer(fuzzCase, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync()));
        }
        return answers;
    }

    /// <summary>A line per status: how the service answered the run.</summary>
    public static string Summary(IReadOnlyList<FuzzAnswer> answers) =>
        string.Join(", ", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));

    private sealed record Parameter(string Name, string In, Schema Kind);

    private sealed record Operation(string Name, string Path, HttpMethod Method, IReadOnlyList<Parameter> Parameters, Schema? Body, bool BodyRequired)
    {
        public bool CanBeMalformed => Body is not null || Parameters.Any(p => p.Kind.IsTyped && p.In is "query" or "path");

        public static Operation Read(string path, HttpMethod method, JsonObject node, JsonObject? schemas)
        {
            var parameters = (node["parameters"]?.AsArray() ?? []).Select(p => new Parameter(
                p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), Schema.Read(p["schema"], schemas, 0))).ToList();
            Schema? body = null;
            var required = false;
            if (node["requestBody"] is JsonObject requestBody && requestBody["content"]?["application/json"]?["schema"] is { } bodySchema && BodyMethods.Contains(method))
            {
                body = Schema.Read(bodySchema, schemas, 0);
                required = requestBody["required"]?.GetValue<bool>() == true;
            }
            return new Operation($"{method} {path}", path, method, parameters, body, required);
        }
    }

    private enum ValueKind { Any, String, Integer, Number, Boolean, Date, DateTime, Uuid, Object, Array }

    private sealed class Schema
    {
        public ValueKind Kind { get; private init; }
        public bool IsEnum { get; private init; }
        public Dictionary<string, Schema> Properties { get; } = [];

        public bool IsTyped => Kind is not (ValueKind.Any or ValueKind.String);

        public static Schema Read(JsonNode? node, JsonObject? schemas, int depth)
        {
            if (node is not JsonObject schema || depth > 4) return new Schema { Kind = ValueKind.Any };
            if (schema["$ref"]?.GetValue<string>() is { } reference)
                return Read(schemas?[reference.Split('/')[^1]], schemas, depth + 1);
            var types = schema["type"] switch
            {
                JsonArray array => array.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList(),
                JsonValue value => [value.GetValue<string>()],
                _ => [],
            };
            var format = schema["format"]?.GetValue<string>();
            var kind = types.Contains("integer") || format is "int32" or "int64" ? ValueKind.Integer
                : types.Contains("number") ? ValueKind.Number
                : types.Contains("boolean") ? ValueKind.Boolean
                : types.Contains("array") ? ValueKind.Array
                : types.Contains("object") || schema["properties"] is not null ? ValueKind.Object
                : types.Contains("string") ? format switch { "uuid" => ValueKind.Uuid, "date" => ValueKind.Date, "date-time" => ValueKind.DateTime, _ => ValueKind.String }
                : ValueKind.Any;
            var result = new Schema { Kind = kind, IsEnum = schema["enum"] is not null };
            if (kind == ValueKind.Object && schema["properties"] is JsonObject properties)
            {
                foreach (var (name, property) in properties) result.Properties[name] = Read(property, schemas, depth + 1);
            }
            return result;
        }

        /// <summary>A body of the right shape, each property a plausible value (the mutation then breaks one).</summary>
        public JsonObject Skeleton(Random random, int depth)
        {
            var body = new JsonObject();
            foreach (var (name, property) in Properties)
            {
                body[name] = property.Kind switch
                {
                    ValueKind.String => JsonValue.Create("fuzz"),
                    ValueKind.Integer => JsonValue.Create(1),
                    ValueKind.Number => JsonValue.Create(1.5),
                    ValueKind.Boolean => JsonValue.Create(true),
                    ValueKind.Uuid => JsonValue.Create(Guid.NewGuid()),
                    ValueKind.Date => JsonValue.Create("2026-01-15"),
                    ValueKind.DateTime => JsonValue.Create("2026-01-15T10:00:00Z"),
                    ValueKind.Object when depth < 2 => property.Skeleton(random, depth + 1),
                    ValueKind.Array => new JsonArray(),
                    _ => null,
                };
                if (body[name] is null) body.Remove(name);
            }
            return body;
        }

        /// <summary>A JSON value this property can never bind from.</summary>
        public JsonNode WrongValue(Random random)
        {
            JsonNode[] choices = Kind switch
            {
                ValueKind.Integer => [JsonValue.Create("abc"), JsonValue.Create(true), new JsonObject(), new JsonArray(), JsonValue.Create(1.5),
                    JsonNode.Parse("99999999999999999999999999")!, JsonNode.Parse("1e400")!],
                ValueKind.Number => [JsonValue.Create("abc"), JsonValue.Create(true), new JsonObject(), new JsonArray(), JsonNode.Parse("1e400")!],
                ValueKind.Boolean => [JsonValue.Create("yes"), JsonValue.Create(1), new JsonObject()],
                ValueKind.Date => [JsonValue.Create("2026-13-45"), JsonValue.Create("not a date"), JsonValue.Create(20260115), new JsonObject()],
                ValueKind.DateTime => [JsonValue.Create("yesterday"), JsonValue.Create(1), new JsonObject()],
                ValueKind.Uuid => [JsonValue.Create("not-a-uuid"), JsonValue.Create(42), new JsonArray()],
                ValueKind.Object => [JsonValue.Create("an object was expected"), JsonValue.Create(7), new JsonArray(JsonValue.Create(1))],
                ValueKind.Array => [JsonValue.Create("an array was expected"), new JsonObject(), JsonValue.Create(3)],
                // Numbers and booleans never bind to a string; an enum may accept a number, never an object.
                ValueKind.String when IsEnum => [new JsonObject(), new JsonArray()],
                ValueKind.String => [JsonValue.Create(123), JsonValue.Create(false), new JsonObject(), new JsonArray(JsonValue.Create("x"))],
                _ => [new JsonObject()],
            };
            return choices[random.Next(choices.Length)].DeepClone();
        }

        public string ValidText(Random random) => Kind switch
        {
            ValueKind.Integer => "1",
            ValueKind.Number => "1.5",
            ValueKind.Boolean => "true",
            ValueKind.Uuid => Guid.NewGuid().ToString(),
            ValueKind.Date => "2026-01-15",
            ValueKind.DateTime => "2026-01-15T10:00:00Z",
            _ => "fuzz-" + random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        public string WrongText(Random random)
        {
            string[] choices = Kind switch
            {
                ValueKind.Integer => ["abc", "1.5", "99999999999999999999999", "1e999", "0x10", "--1"],
                ValueKind.Number => ["abc", "1e999x", "NaNa"],
                ValueKind.Boolean => ["maybe", "2"],
                ValueKind.Uuid => ["not-a-uuid", "123", new string('f', 300)],
                ValueKind.Date => ["2026-13-45", "tomorrow"],
                ValueKind.DateTime => ["yesterday", "2026-02-30T25:00:00Z"],
                _ => ["x"],
            };
            return choices[random.Next(choices.Length)];
        }
    }
}
