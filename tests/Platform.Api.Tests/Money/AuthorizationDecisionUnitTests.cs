using Platform.Api.Authorizations;
using Platform.Api.Integrations.Fraud;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Tests.Money;

/// <summary>The authorization's decisions applied by <see cref="AuthorizationDecision"/> alone, no I/O.</summary>
public sealed class AuthorizationDecisionUnitTests
{
    private static readonly CardFacts ActiveCard = new(Guid.NewGuid(), Guid.NewGuid(), "active", "tok_123", "USD", "open", "owner-1",
        new CardAlertSettings("4242", null, null), AvailableCredit: 100_000);

    private static FraudAssessment Fraud(FraudRecommendation action, FraudCheckStatus check = FraudCheckStatus.Completed) =>
        new(check, action, action == FraudRecommendation.Decline ? 91 : 4, "low", [], "transaction-v1", false);

    private static ProcessorAuthorizeOutcome.Answered Answer(bool approved, long approvedAmount, string code = "00", string message = "Approved") =>
        new(new ProcessorAuthorization("pa_1", approved, code, message, 5_000, approvedAmount, "USD", "tok_123", DateTimeOffset.UnixEpoch));

    [Fact]
    public void A_card_nobody_has_and_someone_elses_card_are_both_not_found()
    {
        Assert.IsType<AuthorizationVerdict.CardNotFound>(AuthorizationDecision.Screen(null, ownedByCaller: false, "USD"));
        Assert.IsType<AuthorizationVerdict.CardNotFound>(AuthorizationDecision.Screen(ActiveCard, ownedByCaller: false, "USD"));
    }

    [Fact]
    public void A_request_in_another_currency_than_the_account_is_refused_naming_the_accounts()
    {
        var verdict = Assert.IsType<AuthorizationVerdict.WrongCurrency>(AuthorizationDecision.Screen(ActiveCard, ownedByCaller: true, "EUR"));
        Assert.Equal("USD", verdict.AccountCurrency);
    }

    [Fact]
    public void A_closed_account_is_declined_62_before_the_card_is_looked_at()
    {
        var verdict = AuthorizationDecision.Screen(ActiveCard with { AccountStatus = "closed", CardStatus = "pending" }, ownedByCaller: true, "USD");

        var decline = Assert.IsType<AuthorizationVerdict.Decline>(verdict);
        Assert.Equal(DeclineReason.AccountNotOpen, decline.Reason);
        Assert.Equal("62", decline.Reason.ResponseCode);
        Assert.Null(decline.ReleaseHold);
        Assert.False(decline.QueueReversal);
    }

    [Theory]
    [InlineData("pending", "tok_123")]
    [InlineData("closed", "tok_123")]
    [InlineData("active", null)]
    public void A_card_not_active_or_unknown_to_the_processor_is_declined_62(string status, string? token)
    {
        var verdict = AuthorizationDecision.Screen(ActiveCard with { CardStatus = status, ProcessorCardToken = token }, ownedByCaller: true, "USD");

        Assert.Equal(DeclineReason.CardNotActive, Assert.IsType<AuthorizationVerdict.Decline>(verdict).Reason);
    }

    [Fact]
    public void An_active_card_of_the_callers_open_account_goes_on()
    {
        Assert.Null(AuthorizationDecision.Screen(ActiveCard, ownedByCaller: true, "USD"));
    }

    [Fact]
    public void Past_capacity_it_is_declined_91_busy_without_a_fraud_answer()
    {
        var decline = Assert.IsType<AuthorizationVerdict.Decline>(AuthorizationDecision.BeforeProcessor(4_250, "Corner Grocer", admitted: false, fraud: null));

        Assert.Equal((DeclineReason.PlatformBusy, "91"), (decline.Reason, decline.Reason.ResponseCode));
        Assert.Null(decline.ReleaseHold);
    }

    [Fact]
    public void A_fraud_decline_is_declined_59_even_when_the_check_fell_back_to_its_rule()
    {
        foreach (var check in new[] { FraudCheckStatus.Completed, FraudCheckStatus.Unavailable })
        {
            var verdict = AuthorizationDecision.BeforeProcessor(4_250, "Corner Grocer", admitted: true, Fraud(FraudRecommendation.Decline, check));
            Assert.Equal(DeclineReason.SuspectedFraud, Assert.IsType<AuthorizationVerdict.Decline>(verdict).Reason);
        }
    }

    [Theory]
    [InlineData(FraudRecommendation.Approve)]
    [InlineData(FraudRecommendation.Review)]
    public void Otherwise_the_whole_amount_is_held_described_by_the_merchant(FraudRecommendation action)
    {
        var hold = Assert.IsType<AuthorizationVerdict.Hold>(AuthorizationDecision.BeforeProcessor(4_250, "Corner Grocer", admitted: true, Fraud(action)));

        Assert.Equal((4_250L, "Hold: Corner Grocer"), (hold.Amount, hold.Description));
    }

    [Fact]
    public void A_hold_the_credit_was_not_there_for_is_declined_51()
    {
        Assert.Equal(DeclineReason.InsufficientCredit, AuthorizationDecision.AfterHold(null)!.Reason);
        Assert.Equal("51", AuthorizationDecision.AfterHold(null)!.Reason.ResponseCode);
        Assert.Null(AuthorizationDecision.AfterHold(0));
    }

    [Fact]
    public void A_full_approval_keeps_the_whole_hold()
    {
        var approve = Assert.IsType<AuthorizationVerdict.Approve>(AuthorizationDecision.AfterProcessor(5_000, Answer(true, 5_000)));

        Assert.Equal((5_000L, 0L, "00", "pa_1"), (approve.ApprovedAmount, approve.Unused, approve.ResponseCode, approve.ProcessorAuthorizationId));
    }

    [Fact]
    public void A_partial_approval_gives_back_what_it_leaves_unused()
    {
        var approve = Assert.IsType<AuthorizationVerdict.Approve>(AuthorizationDecision.AfterProcessor(5_000, Answer(true, 3_000, "10", "Partial")));

        Assert.Equal((3_000L, 2_000L, "10"), (approve.ApprovedAmount, approve.Unused, approve.ResponseCode));
    }

    [Theory]
    [InlineData(9_000, 5_000)]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    public void An_approval_is_never_for_more_than_was_held_nor_for_nothing(long answered, long expected)
    {
        var approve = Assert.IsType<AuthorizationVerdict.Approve>(AuthorizationDecision.AfterProcessor(5_000, Answer(true, answered)));

        Assert.Equal(expected, approve.ApprovedAmount);
        Assert.Equal(5_000 - expected, approve.Unused);
    }

    [Fact]
    public void A_processor_decline_passes_its_code_on_releases_the_hold_and_keeps_the_processors_id()
    {
        var decline = Assert.IsType<AuthorizationVerdict.Decline>(AuthorizationDecision.AfterProcessor(5_000, Answer(false, 0, "05", "Do not honor")));

        Assert.Equal(("processor_declined", "05", "Do not honor"), (decline.Reason.Code, decline.Reason.ResponseCode, decline.Reason.Message));
        Assert.Equal("Hold released: declined by the processor", decline.ReleaseHold);
        Assert.Equal("pa_1", decline.ProcessorAuthorizationId);
        Assert.False(decline.QueueReversal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void No_answer_is_declined_91_with_a_reversal_only_when_the_request_may_have_reached_the_processor(bool mayHaveBeenProcessed)
    {
        var decline = Assert.IsType<AuthorizationVerdict.Decline>(
            AuthorizationDecision.AfterProcessor(5_000, new ProcessorAuthorizeOutcome.NoAnswer("timeout", mayHaveBeenProcessed)));

        Assert.Equal((DeclineReason.ProcessorUnavailable, "91"), (decline.Reason, decline.Reason.ResponseCode));
        Assert.Equal("Hold released: processor did not answer", decline.ReleaseHold);
        Assert.Equal(mayHaveBeenProcessed, decline.QueueReversal);
        Assert.Null(decline.ProcessorAuthorizationId);
        Assert.Equal("timeout", decline.AuditDetails!["processorCause"]);
        Assert.Equal(mayHaveBeenProcessed, decline.AuditDetails["reversalQueued"]);
    }

    [Fact]
    public void An_abandoned_authorization_is_declined_91_its_hold_released_and_a_reversal_queued()
    {
        var decline = AuthorizationDecision.Abandoned;

        Assert.Equal(DeclineReason.ProcessorUnavailable, decline.Reason);
        Assert.NotNull(decline.ReleaseHold);
        Assert.True(decline.QueueReversal);
        Assert.Equal("abandoned", decline.AuditDetails!["cause"]);
    }

    [Fact]
    public void Every_state_has_one_database_spelling_that_reads_back()
    {
        foreach (var status in Enum.GetValues<AuthorizationStatus>()) Assert.Equal(status, MoneyStates.Parse<AuthorizationStatus>(status.Db()));
        foreach (var kind in Enum.GetValues<OperationKind>()) Assert.Equal(kind, MoneyStates.Parse<OperationKind>(kind.Db()));
        foreach (var status in Enum.GetValues<OperationStatus>()) Assert.Equal(status, MoneyStates.Parse<OperationStatus>(status.Db()));
        Assert.Equal(["pending", "approved", "declined", "voided", "expired"], Enum.GetValues<AuthorizationStatus>().Select(s => s.Db()));
        Assert.Throws<FormatException>(() => MoneyStates.Parse<OperationStatus>("1"));
        Assert.Throws<FormatException>(() => MoneyStates.Parse<OperationStatus>("settled"));
    }
}
