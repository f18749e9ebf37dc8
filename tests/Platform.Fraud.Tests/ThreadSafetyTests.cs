using Platform.Fraud.Features;
using Platform.Fraud.Scoring;
using Platform.Fraud.Training;

namespace Platform.Fraud.Tests;

public sealed class ThreadSafetyTests
{
    [Fact]
    public void Scoring_in_parallel_gives_the_same_results_as_scoring_one_at_a_time()
    {
        var rows = ModelTrainer.TransactionRows(seed: 11, TrainingSettings.Quick with { Cards = 60, TransactionDays = 10 });
        var model = Scenarios.Models.Transaction;
        var expected = rows.Select(r => Predict(model, r.Features)).ToArray();

        var actual = new (float, float[])[rows.Count * 4];
        Parallel.For(0, actual.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
            actual[i] = Predict(model, rows[i % rows.Count].Features));

        for (var i = 0; i < actual.Length; i++)
        {
            var (probability, contributions) = expected[i % rows.Count];
            Assert.Equal(probability, actual[i].Item1);
            Assert.Equal(contributions, actual[i].Item2);
        }
    }

    [Fact]
    public async Task Concurrent_end_to_end_scores_of_many_cards_are_all_answered()
    {
        var store = new InMemoryVelocityStore();
        var scorer = Scenarios.Scorer(store);

        var scores = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Task.Run(() =>
            scorer.ScoreTransactionAsync(Scenarios.Transaction("card-" + (i % 50), 1_000 + i, Scenarios.Now.AddSeconds(i)), default))));

        Assert.All(scores, s => Assert.InRange(s.Score, 0, 100));
    }

    private static (float, float[]) Predict(FraudModel<TransactionModelInput> model, float[] features)
    {
        var contributions = new float[TransactionFeatures.Count];
        return (model.Predict(features, contributions), contributions);
    }
}
