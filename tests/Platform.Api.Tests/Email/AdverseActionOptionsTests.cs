using Platform.Api.Email;

namespace Platform.Api.Tests.Email;

/// <summary>An adverse-action notice cannot go out without the agency's and the creditor's particulars: start-up checks them.</summary>
public sealed class AdverseActionOptionsTests
{
    private static AdverseActionOptions Complete() => new()
    {
        CreditorName = "Card Platform Bank, N.A.",
        CreditorAddress = "100 Example Plaza",
        ConsumerReportingAgencies = { ["bureau-sim"] = new ConsumerReportingAgency { Name = "Agency", Address = "P.O. Box 1", TollFreePhone = "1-800-555-0199" } },
    };

    [Fact]
    public void Complete_particulars_pass() => Assert.Null(Complete().AgencyProblem());

    [Theory]
    [InlineData("555-0199")]
    [InlineData("1-312-555-0199")]
    [InlineData("")]
    public void An_agency_without_a_toll_free_number_is_refused(string phone)
    {
        var options = Complete();
        options.ConsumerReportingAgencies["bureau-sim"].TollFreePhone = phone;

        Assert.Contains("bureau-sim", options.AgencyProblem());
    }

    [Fact]
    public void No_agency_at_all_is_refused() => Assert.NotNull(new AdverseActionOptions { CreditorName = "c", CreditorAddress = "a" }.AgencyProblem());

    [Fact]
    public async Task The_api_refuses_to_start_without_the_creditors_address()
    {
        await using var stores = new Platform.Testing.PlatformStoresFixture();
        await stores.InitializeAsync();
        var factory = await ApiHostBuilder.On(stores, "adverse").With("AdverseAction:CreditorAddress", "").BuildAsync();

        var error = Assert.ThrowsAny<Exception>(() => factory.Server);

        Assert.Contains("CreditorAddress", error.ToString());
        await factory.DisposeAsync();
    }
}
