namespace Platform.Testing.Contracts;

/// <summary>One way an exchange broke its service's OpenAPI document.</summary>
/// <param name="Operation">The request, as <c>POST /v1/authorizations</c>, or the operation's path template.</param>
/// <param name="Location">Where in the exchange: <c>request body /merchant/id</c>, <c>response 200 body</c>, <c>query limit</c> …</param>
/// <param name="Rule">The rule broken: a JSON Schema keyword (<c>type</c>, <c>required</c>, <c>format</c> …) or a contract rule (<c>status</c>, <c>content-type</c> …).</param>
public sealed record ContractViolation(string Operation, string Location, string Rule, string Message)
{
    public override string ToString() => $"{Operation}: {Location}: [{Rule}] {Message}";
}

/// <summary>Thrown by <see cref="ContractValidatingHandler"/>: a test exchanged something its service's document does not allow.</summary>
public sealed class ContractViolationException(IReadOnlyList<ContractViolation> violations)
    : Exception("The exchange breaks the service's OpenAPI document:\n  " + string.Join("\n  ", violations))
{
    public IReadOnlyList<ContractViolation> Violations { get; } = violations;
}
