using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Processor;

/// <summary>What processor-sim answers an authorization before the card's own state is checked against its records.</summary>
internal sealed record AuthorizationDecision(bool Approved, string ResponseCode, long ApprovedAmount)
{
    /// <summary>
    /// Approve, approve in part or decline, from the settings, the request's scenario header and the request's random
    /// draws. No I/O: a seeded <paramref name="random"/> gives the same answer on every run.
    /// </summary>
    public static AuthorizationDecision Decide(long amount, ProcessorSettings settings, EffectiveOperationSettings effective, SimScenarioHeader header, SimRandom random)
    {
        // Fixed draw order, so a seeded run gives the same answers whichever branch is taken.
        var approveDraw = random.NextDouble();
        var partialDraw = random.NextDouble();
        var declineCode = random.Weighted(settings.DeclineCodes) ?? "05";

        bool approved;
        string code;
        if (header.DeclineCode is { } forcedCode) (approved, code) = (false, forcedCode);
        else if (header.Approve) (approved, code) = (true, Iso8583ResponseCodes.Approved);
        else if (header.Partial) (approved, code) = (true, Iso8583ResponseCodes.PartiallyApproved);
        else if (approveDraw < effective.ApprovalRate)
            (approved, code) = (true, partialDraw < settings.PartialApprovalRate ? Iso8583ResponseCodes.PartiallyApproved : Iso8583ResponseCodes.Approved);
        else (approved, code) = (false, declineCode);

        var approvedAmount = !approved ? 0
            : code == Iso8583ResponseCodes.PartiallyApproved ? Math.Clamp(header.PartialAmount ?? Math.Max(1, amount / 2), 1, amount)
            : amount;
        return new(approved, code, approvedAmount);
    }

    /// <summary>The response message a processor sends beside an ISO 8583 code.</summary>
    public static string Message(string code) => code switch
    {
        Iso8583ResponseCodes.Approved => "Approved",
        Iso8583ResponseCodes.PartiallyApproved => "Partially approved",
        _ => Iso8583ResponseCodes.Declines.GetValueOrDefault(code, "Declined"),
    };
}
