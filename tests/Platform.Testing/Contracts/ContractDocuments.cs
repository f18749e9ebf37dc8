using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Platform.Testing.Contracts;

/// <summary>
/// The committed copies of the services' documents (<c>openapi/*.json</c> at the repository root), from which the
/// clients are generated at build time. A test compares each with what the code serves, so that a contract change is a
/// diff in review and never a surprise to a client: when they differ the test fails and writes the served document
/// over the committed one, leaving the change in the working tree to look at and commit.
/// </summary>
public static class ContractDocuments
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("No Platform.sln above " + AppContext.BaseDirectory);
    }

    public static string CommittedPath(string service) => Path.Combine(RepositoryRoot(), "openapi", service + ".json");

    /// <summary>The form the documents are committed in: indented, readable characters, LF line ends, a final newline.</summary>
    public static string Canonical(string json) => JsonNode.Parse(json)!.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";

    public static async Task<string> ServedAsync(HttpClient client) =>
        Canonical(await client.GetStringAsync(ContractSource.DocumentPath));

    public static void AssertCommitted(string service, string served)
    {
        var path = CommittedPath(service);
        var committed = File.Exists(path) ? File.ReadAllText(path) : null;
        if (committed == served) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, served);
        Assert.Fail($"The {service} service's OpenAPI document differs from the committed {Path.GetRelativePath(RepositoryRoot(), path)}. " +
            "The served document has been written there: review the change (git diff openapi/) and commit it with the code that caused it.");
    }
}
