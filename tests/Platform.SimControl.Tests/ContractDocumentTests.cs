using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>simcontrol's OpenAPI document: committed as <c>openapi/simcontrol.json</c>, complete for client developers.</summary>
[Collection(SimControlCollection.Name)]
public sealed class ContractDocumentTests(SimControlFixture fixture)
{
    [Fact]
    public async Task The_served_document_is_the_committed_contract() =>
        ContractDocuments.AssertCommitted("simcontrol", await ContractDocuments.ServedAsync(fixture.Client));

    [Fact]
    public async Task Every_operation_is_named_summarised_exemplified_and_refuses_with_problem_details()
    {
        var problems = DocumentRules.Check(ServiceContract.Parse(await ContractDocuments.ServedAsync(fixture.Client)));

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
