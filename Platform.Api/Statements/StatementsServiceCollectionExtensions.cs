namespace Platform.Api.Statements;

internal static class StatementsServiceCollectionExtensions
{
    /// <summary>Monthly statements: the cycle, its worker, the PDF renderer and the reads behind the API.</summary>
    public static IHostApplicationBuilder AddStatements(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StatementOptions>().BindConfiguration(StatementOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<StatementPdfRenderer>();
        builder.Services.AddSingleton<StatementStore>();
        builder.Services.AddSingleton<StatementCycle>();
        builder.Services.AddHostedService<StatementCycleWorker>();
        return builder;
    }
}
