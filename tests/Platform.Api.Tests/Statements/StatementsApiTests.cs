using System.Net;

namespace Platform.Api.Tests.Statements;

[Collection(StatementsCollection.Name)]
public sealed class StatementsApiTests(StatementsFixture fixture)
{
    [Fact]
    public async Task Listing_statements_of_an_unknown_account_is_not_found()
    {
        var response = await fixture.Client.GetAsync($"/v1/accounts/{Guid.NewGuid()}/statements");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("2031-13")]
    [InlineData("2031-00")]
    [InlineData("203101")]
    [InlineData("2031-1")]
    [InlineData("january")]
    public async Task Downloading_a_statement_with_a_malformed_period_is_a_bad_request_problem(string period)
    {
        var account = await fixture.Ledger.OpenAccountAsync();

        var response = await fixture.Client.GetAsync($"/v1/accounts/{account}/statements/{period}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"period\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Downloading_a_statement_for_a_period_without_one_is_not_found()
    {
        var account = await fixture.Ledger.OpenAccountAsync();

        var response = await fixture.Client.GetAsync($"/v1/accounts/{account}/statements/2030-06");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Listing_an_account_without_statements_is_empty()
    {
        var account = await fixture.Ledger.OpenAccountAsync();

        Assert.Empty(await fixture.ListAsync(account));
    }
}
