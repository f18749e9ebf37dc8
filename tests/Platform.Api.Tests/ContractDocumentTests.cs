using Platform.Testing;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests;

/// <summary>
/// The API's OpenAPI document: committed as <c>openapi/api.json</c>, complete for client developers. It is the document
/// of the QA configuration (test clock on), so that QA's clients are generated with the test clock's two operations too.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ContractDocumentTests(PlatformStoresFixture stores)
{
    [Fact]
    public async Task The_served_document_is_the_committed_contract()
    {
        // With the test clock on, so that its operations are in the document too.
        await using var api = await ApiHostBuilder.On(stores, "api").With("TestClock:Enabled", "true").BuildAsync();
        using var client = api.CreateClient();

        ContractDocuments.AssertCommitted("api", await ContractDocuments.ServedAsync(client));
    }

    [Fact]
    public async Task Every_operation_is_named_summarised_exemplified_and_refuses_with_problem_details()
    {
        // With the test clock on, so that its operations are in the document too.
        await using var api = await ApiHostBuilder.On(stores, "api").With("TestClock:Enabled", "true").BuildAsync();
        using var client = api.CreateClient();

        var problems = DocumentRules.Check(ServiceContract.Parse(await ContractDocuments.ServedAsync(client)));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
