namespace Platform.SimControl.Journal;

#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: the supported way to opt one client out of the defaults.

internal static class JournalServiceExtensions
{
    public static IHostApplicationBuilder AddRequestJournal(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JournalOptions>().BindConfiguration(JournalOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RequestJournal>();
        builder.Services.AddSingleton<ScenarioInForce>();
        builder.Services.AddSingleton<JournalStore>();
        builder.Services.AddSingleton<JournalReplayer>();
        builder.Services.AddHostedService<JournalWriter>();
        // A replay is one request to this instance: a retry would replay it twice, and the replayer sets its own timeout.
        builder.Services.AddHttpClient(JournalReplayer.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).RemoveAllResilienceHandlers();
        return builder;
    }
}
