using Platform.SimControl.Processor;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Tests;

/// <summary>processor-sim's approve/decline decision from settings, the scenario header and seeded draws; no I/O.</summary>
public sealed class AuthorizationDecisionTests
{
    private static AuthorizationDecision Decide(long amount, ProcessorSettings settings, SimScenarioHeader? header = null, long sequence = 1) =>
        AuthorizationDecision.Decide(amount, settings, settings.For(ProcessorOperations.Authorize), header ?? new SimScenarioHeader(),
            SimRandom.Seeded(42, Simulators.Processor, ProcessorOperations.Authorize, sequence));

    private static SimScenarioHeader Header(string value)
    {
        Assert.True(SimScenarioHeader.TryParse(value, out var header, out var error), error);
        return header;
    }

    [Fact]
    public void Approval_rate_one_approves_the_whole_amount()
    {
        var decision = Decide(4_250, new ProcessorSettings { ApprovalRate = 1 });

        Assert.Equal(new AuthorizationDecision(true, Iso8583ResponseCodes.Approved, 4_250), decision);
    }

    [Fact]
    public void Approval_rate_zero_declines_with_a_code_drawn_from_the_configured_weights_and_approves_nothing()
    {
        var settings = new ProcessorSettings { ApprovalRate = 0, DeclineCodes = new() { ["51"] = 1 } };

        var decision = Decide(4_250, settings);

        Assert.Equal(new AuthorizationDecision(false, "51", 0), decision);
    }

    [Fact]
    public void Without_decline_weights_a_decline_is_05_do_not_honor()
    {
        var decision = Decide(100, new ProcessorSettings { ApprovalRate = 0, DeclineCodes = [] });

        Assert.Equal("05", decision.ResponseCode);
        Assert.Equal("Do not honor", AuthorizationDecision.Message(decision.ResponseCode));
    }

    [Fact]
    public void A_partial_approval_approves_half_the_amount_and_at_least_one_minor_unit()
    {
        var settings = new ProcessorSettings { ApprovalRate = 1, PartialApprovalRate = 1 };

        Assert.Equal(new AuthorizationDecision(true, Iso8583ResponseCodes.PartiallyApproved, 2_125), Decide(4_250, settings));
        Assert.Equal(new AuthorizationDecision(true, Iso8583ResponseCodes.PartiallyApproved, 1), Decide(1, settings));
    }

    [Fact]
    public void The_header_overrides_the_settings_decline_wins_and_a_partial_amount_is_kept_within_the_request()
    {
        var approveAll = new ProcessorSettings { ApprovalRate = 1 };
        var declineAll = new ProcessorSettings { ApprovalRate = 0 };

        Assert.Equal(new AuthorizationDecision(false, "59", 0), Decide(1_000, approveAll, Header("decline:59")));
        Assert.Equal(new AuthorizationDecision(true, Iso8583ResponseCodes.Approved, 1_000), Decide(1_000, declineAll, Header("approve")));
        Assert.Equal(new AuthorizationDecision(true, Iso8583ResponseCodes.PartiallyApproved, 300), Decide(1_000, declineAll, Header("partial:300")));
        Assert.Equal(1_000, Decide(1_000, declineAll, Header("partial:5000")).ApprovedAmount);
    }

    [Fact]
    public void A_seeded_run_gives_the_same_answers_and_the_approval_rate_holds_over_many_draws()
    {
        var settings = new ProcessorSettings { ApprovalRate = 0.7, PartialApprovalRate = 0 };

        var first = Enumerable.Range(1, 2_000).Select(n => Decide(1_000, settings, sequence: n)).ToList();
        var second = Enumerable.Range(1, 2_000).Select(n => Decide(1_000, settings, sequence: n)).ToList();

        Assert.Equal(first, second);
        Assert.InRange(first.Count(d => d.Approved) / 2_000.0, 0.66, 0.74);
        Assert.All(first.Where(d => !d.Approved), d => Assert.True(Iso8583ResponseCodes.IsKnownDecline(d.ResponseCode)));
    }

    [Fact]
    public void Messages_name_the_outcome()
    {
        Assert.Equal("Approved", AuthorizationDecision.Message("00"));
        Assert.Equal("Partially approved", AuthorizationDecision.Message("10"));
        Assert.Equal("Insufficient funds", AuthorizationDecision.Message("51"));
        Assert.Equal("Declined", AuthorizationDecision.Message("XX"));
    }
}
