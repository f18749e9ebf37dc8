using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Platform.ServiceDefaults.Tests;

public sealed class SensitiveUrlRedactorTests
{
    [Theory]
    [InlineData("/sim/v1/bureau/applicants/123-45-6789", "/sim/v1/bureau/applicants/{redacted}")]
    [InlineData("/sim/v1/bureau/applicants/123456789", "/sim/v1/bureau/applicants/{redacted}")]
    [InlineData("/cards/4111111111111111/x", "/cards/{redacted}/x")]
    [InlineData("?ssn=123-45-6789&limit=50", "?ssn={redacted}&limit=50")]
    public void Ssn_and_card_shaped_digits_are_taken_out(string url, string expected) => Assert.Equal(expected, SensitiveUrlRedactor.Redact(url));

    [Theory]
    [InlineData("/v1/authorizations/0195a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")]
    [InlineData("/v1/accounts/x/statements/2026-11")]
    [InlineData("/processor/v1/authorizations?limit=1000")]
    public void Ids_periods_and_limits_are_left_alone(string url) => Assert.Same(url, SensitiveUrlRedactor.Redact(url));

    [Fact]
    public void A_span_leaves_with_its_url_tags_and_name_redacted()
    {
        using var activity = new Activity("GET /sim/v1/bureau/applicants/123-45-6789");
        activity.DisplayName = "GET /sim/v1/bureau/applicants/123-45-6789";
        activity.SetTag("url.path", "/sim/v1/bureau/applicants/123-45-6789");
        activity.SetTag("url.full", "http://localhost/sim/v1/bureau/applicants/123456789");

        new SensitiveUrlRedactor().OnEnd(activity);

        Assert.DoesNotContain("6789", activity.DisplayName + activity.GetTagItem("url.path") + activity.GetTagItem("url.full"), StringComparison.Ordinal);
    }
}
