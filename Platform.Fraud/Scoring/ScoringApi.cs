using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Fraud.Scoring;

/// <summary>The services allowed to score: they hold the internal key.</summary>
internal static class PlatformCallers
{
    public const string Scheme = "platform-api-key";
}

internal static class ScoringApi
{
    public static RouteGroupBuilder MapScoringApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/score").WithTags("Scoring").RequireApiKey(PlatformCallers.Scheme);
        group.MapPost("/transaction", ScoreTransaction).WithName("ScoreTransaction")
            .WithSummary("Score a card transaction (budget: well under 50 ms)");
        group.MapPost("/application", ScoreApplication).WithName("ScoreApplication")
            .WithSummary("Score an application for credit (budget: well under 500 ms)");
        return group;
    }

    public static async Task<Results<Ok<FraudScoreResponse>, ValidationProblem>> ScoreTransaction(
        TransactionScoreRequest request, FraudScorer scorer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ScoringValidation.TryCreate(request, time.GetUtcNow(), out var transaction, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var score = await scorer.ScoreTransactionAsync(transaction, cancellationToken);
        return TypedResults.Ok(FraudScoreResponse.From(score));
    }

    public static async Task<Results<Ok<FraudScoreResponse>, ValidationProblem>> ScoreApplication(
        ApplicationScoreRequest request, FraudScorer scorer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ScoringValidation.TryCreate(request, time.GetUtcNow(), out var application, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var score = await scorer.ScoreApplicationAsync(application, cancellationToken);
        return TypedResults.Ok(FraudScoreResponse.From(score));
    }
}
