using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using Platform.SimControl.Stats;
using StackExchange.Redis;

namespace Platform.SimControl.Bureau;

internal sealed record BureauServices(
    RedisSimulatorSettingsStore Settings,
    SimulatorBehaviour Behaviour,
    IConnectionMultiplexer Redis,
    TimeProvider Time);

/// <summary>
/// bureau-sim. Magic SSN prefixes besides the personas in the settings: <c>00099</c> answers HTTP 503,
/// <c>00098</c> never answers (timeout). SSNs and dates of birth are never logged or stored; inquiries are kept under
/// a digest of the SSN.
/// </summary>
internal static class BureauApi
{
    public const string ErrorSsnPrefix = "00099";
    public const string TimeoutSsnPrefix = "00098";

    public static RouteGroupBuilder MapBureauApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(SimControlPaths.Bureau).WithTags("bureau-sim").RequireApiKey(SimulatorCredentials.BureauScheme);
        group.MapPost("/credit-reports", CreateCreditReportAsync).WithSimStats(Simulators.Bureau, "creditReport");
        return group;
    }

    /// <summary>Pulls an applicant's credit report: a soft inquiry (prequalification, invisible to lenders) or a hard one (an application).</summary>
    public static async Task<Results<Ok<CreditReportResponse>, ProblemHttpResult, ValidationProblem>> CreateCreditReportAsync(
        CreditReportRequest request, HttpContext http, [AsParameters] BureauServices s)
    {
        http.Items[Journal.RequestJournal.RequestItem] = request;
        if (!SimScenarioHeader.TryParse(http.Request.Headers[SimScenarioHeader.Name], out var header, out var headerError))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [SimScenarioHeader.Name] = [headerError!] });
        var errors = Validate(request, s.Time.GetUtcNow());
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var ssn = Ssn.Normalize(request.Applicant!.Ssn)!;
        if (header.ErrorStatus is null && !header.Timeout)
        {
            if (ssn.StartsWith(ErrorSsnPrefix, StringComparison.Ordinal)) header.ErrorStatus = 503;
            else if (ssn.StartsWith(TimeoutSsnPrefix, StringComparison.Ordinal)) header.Timeout = true;
        }

        var settings = (await s.Settings.GetCurrentAsync()).Bureau;
        var decision = await s.Behaviour.DecideAsync(new BehaviourInputs(
            Simulators.Bureau, "creditReport", settings.Seed, settings.Version, settings.ErrorRate, settings.TimeoutRate,
            settings.ErrorStatusCode, settings.LatencyMs, 0, header));
        if (await s.Behaviour.PlayAsync(decision, http) is { } failure) return failure;

        var id = Ssn.Id(ssn);
        var db = s.Redis.GetDatabase();
        var applicantOverride = await s.Settings.GetApplicantOverrideByIdAsync(id);
        var prior = (await db.ListRangeAsync(SimRedisKeys.Inquiries(id)))
            .Select(v => JsonSerializer.Deserialize((string)v!, BureauJsonContext.Default.Inquiry)!).ToList();
        var now = s.Time.GetUtcNow();
        var reportId = "rpt_" + Guid.CreateVersion7(now).ToString("N");
        var inquiryType = request.InquiryType!;
        var report = CreditReports.Build(ssn, inquiryType, settings, applicantOverride, header, prior, reportId, now);

        // A frozen file cannot be pulled for new credit, so nothing is recorded against it.
        if (inquiryType == "hard" && !report.Flags.Frozen)
        {
            var tx = db.CreateTransaction();
            _ = tx.ListRightPushAsync(SimRedisKeys.Inquiries(id), JsonSerializer.Serialize(new Inquiry(now, "hard", reportId), BureauJsonContext.Default.Inquiry));
            _ = tx.SetAddAsync(SimRedisKeys.InquiryIndex, id);
            await tx.ExecuteAsync();
        }
        return TypedResults.Ok(report);
    }

    private static Dictionary<string, string[]> Validate(CreditReportRequest request, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.InquiryType is not ("soft" or "hard")) errors["inquiryType"] = ["Must be soft or hard."];
        var a = request.Applicant;
        if (a is null)
        {
            errors["applicant"] = ["Required."];
            return errors;
        }
        if (string.IsNullOrWhiteSpace(a.FirstName)) errors["applicant.firstName"] = ["Required."];
        if (string.IsNullOrWhiteSpace(a.LastName)) errors["applicant.lastName"] = ["Required."];
        if (Ssn.Normalize(a.Ssn) is null) errors["applicant.ssn"] = ["Must be 9 digits (dashes allowed)."];
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (a.DateOfBirth is not { } dob || dob > today.AddYears(-18) || dob < today.AddYears(-125))
            errors["applicant.dateOfBirth"] = ["Required; the applicant must be an adult."];
        if (a.Address is null) errors["applicant.address"] = ["Required."];
        else
        {
            if (string.IsNullOrWhiteSpace(a.Address.Line1)) errors["applicant.address.line1"] = ["Required."];
            if (string.IsNullOrWhiteSpace(a.Address.City)) errors["applicant.address.city"] = ["Required."];
            if (a.Address.State is null || a.Address.State.Length != 2 || !a.Address.State.All(char.IsAsciiLetterUpper))
                errors["applicant.address.state"] = ["Must be a two-letter state code."];
            if (a.Address.PostalCode is null || !System.Text.RegularExpressions.Regex.IsMatch(a.Address.PostalCode, "^[0-9]{5}(-[0-9]{4})?$"))
                errors["applicant.address.postalCode"] = ["Must be a ZIP or ZIP+4 code."];
        }
        return errors;
    }
}
