using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Platform.Api.Audit;
using Platform.Api.Identity;

namespace Platform.Api.Underwriting;

public sealed record UnderwritingServices(
    ApplicationIntake Intake,
    ApplicationStore Store,
    Prequalifier Prequalifier,
    IAuditTrail Audit,
    IOptions<DecisionPolicy> Policy,
    TimeProvider Time);

public static class UnderwritingApi
{
    public const string AccessReasonHeader = "X-Access-Reason";

    public static RouteGroupBuilder MapUnderwritingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Underwriting").RequireAuthorization();
        group.MapPost("/prequalifications", PrequalifyAsync).WithName("Prequalify").ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/applications", ApplyAsync).WithName("Apply");
        group.MapGet("/applications/{id:guid}", GetApplicationAsync).WithName("GetApplication");
        // Unmasked PII is for operators working a case, never shown back to the customer's session.
        group.MapGet("/applications/{id:guid}/applicant", ReadUnmaskedApplicantAsync).WithName("ReadUnmaskedApplicant")
            .RequireAuthorization(Identity.PlatformPolicies.Operator);
        return group;
    }

    /// <summary>Checks whether an applicant would likely be approved, with a soft bureau pull that does not affect their credit; answers the likely offer range or the reasons not.</summary>
    public static async Task<Results<Ok<PrequalificationResponse>, ValidationProblem, ProblemHttpResult>> PrequalifyAsync(
        PrequalificationRequest request, HttpContext http, [AsParameters] UnderwritingServices s, CancellationToken cancellationToken)
    {
        var errors = ApplicantValidation.Validate(request, s.Policy.Value.Currency, Today(s.Time), out var applicant);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var result = await s.Prequalifier.PrequalifyAsync(applicant!, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken);
        if (result is null)
        {
            http.Response.Headers.RetryAfter = "30";
            return TypedResults.Problem(title: "Credit bureau unavailable", detail: "No soft pull could be made; nothing was recorded against the applicant. Try again shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return TypedResults.Ok(result);
    }

    /// <summary>201 with the decision for a new application; 200 with the earlier one when the applicant applied within the duplicate window.</summary>
    public static async Task<Results<Created<ApplicationResponse>, Ok<ApplicationResponse>, ValidationProblem>> ApplyAsync(
        ApplicationRequest request, HttpContext http, [AsParameters] UnderwritingServices s, CancellationToken cancellationToken)
    {
        var errors = ApplicantValidation.Validate(request, s.Policy.Value.Currency, Today(s.Time), out var applicant);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var owner = http.User.IsOperator() ? null : http.User.UserId();
        var (id, created) = await s.Intake.SubmitAsync(applicant!, http.Connection.RemoteIpAddress?.ToString(), owner,
            FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken);
        var application = (await s.Store.GetAsync(id, cancellationToken))!;
        return created ? TypedResults.Created($"/v1/applications/{id}", application) : TypedResults.Ok(application);
    }

    /// <summary>Reads one of the caller's applications for credit: its status, masked applicant and, once decided, the decision with its reasons.</summary>
    public static async Task<Results<Ok<ApplicationResponse>, NotFound>> GetApplicationAsync(Guid id, System.Security.Claims.ClaimsPrincipal user, Ownership ownership,
        ApplicationStore store, CancellationToken cancellationToken) =>
        await ownership.CanUseApplicationAsync(user, id, cancellationToken) && await store.GetAsync(id, cancellationToken) is { } application
            ? TypedResults.Ok(application) : TypedResults.NotFound();

    /// <summary>
    /// The only way to see a full SSN or date of birth. The caller states why (<c>X-Access-Reason</c>); the read is on
    /// the audit spine, with who and why, before anything is returned.
    /// </summary>
    public static async Task<Results<Ok<UnmaskedApplicantResponse>, NotFound, ValidationProblem>> ReadUnmaskedApplicantAsync(
        Guid id, [FromHeader(Name = AccessReasonHeader)] string? reason, HttpContext http, [AsParameters] UnderwritingServices s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < 10 || reason.Length > 500)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [AccessReasonHeader] = ["Required: why the unmasked PII is needed (10 to 500 characters)."] });
        if (await s.Store.GetAsync(id, cancellationToken) is null) return TypedResults.NotFound();

        await s.Audit.AppendAsync(UnderwritingAudit.PiiRead(id, ["ssn", "dateOfBirth"], reason.Trim(), FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http)),
            cancellationToken);
        var applicant = (await s.Store.ReadIdentityAsync(id, cancellationToken))!;
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new UnmaskedApplicantResponse(id, applicant.FirstName, applicant.LastName, applicant.Ssn, applicant.DateOfBirth,
            new AddressResponse(applicant.Address.Line1, applicant.Address.Line2, applicant.Address.City, applicant.Address.State, applicant.Address.PostalCode),
            applicant.Email, applicant.Phone));
    }

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
