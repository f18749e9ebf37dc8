using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.FluentUI.AspNetCore.Components;
using Platform.SimControl.Journal;
using Platform.SimControl.Traffic;
using Platform.SimControl.Bureau;
using Platform.SimControl.Operators;
using Platform.SimControl.Processor;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using Platform.SimControl.Stats;

namespace Platform.SimControl;

#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: the supported way to opt one client out of the defaults.

internal static class ApplicationServicesExtensions
{
    public const string DatabaseConnectionName = "platform";
    public const string RedisConnectionName = "redis";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        Platform.Data.RowMapping.Configure();
        builder.AddNpgsqlDataSource(DatabaseConnectionName, configureDataSourceBuilder: dataSource =>
        {
            Platform.Data.ConnectionTuning.SkipResetOnReturn(dataSource);
            Platform.Data.ConnectionTuning.PrepareRepeatedStatements(dataSource);
        });
        builder.AddRedisClient(RedisConnectionName);

        builder.Services.AddOpenApi(options => options.AddPlatformContract());
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ProcessorJsonContext.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(1, BureauJsonContext.Default);
        });

        builder.Services.AddSingleton(TimeProvider.System);

        // Settings, scenarios, statistics: shared by the simulators, the control API and the panel.
        builder.Services.AddSingleton<RedisSimulatorSettingsStore>();
        builder.Services.AddSingleton<ISimulatorSettingsStore>(sp => sp.GetRequiredService<RedisSimulatorSettingsStore>());
        builder.Services.AddSingleton<ScenarioService>();
        builder.Services.AddSingleton<IScenarioService>(sp => sp.GetRequiredService<ScenarioService>());
        builder.Services.AddHostedService<ScenarioTimer>();
        builder.Services.AddSingleton<ISimulatorStatsService, RedisSimulatorStatsService>();
        builder.Services.AddOptions<AuditForwardingOptions>().BindConfiguration(AuditForwardingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Retries belong to the forwarder's queue, not to the HTTP client: one attempt per send, 10 s at most.
        builder.Services.AddHttpClient(AuditForwarder.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .RemoveAllResilienceHandlers();
        builder.Services.AddHostedService<AuditForwarder>();

        // The simulators.
        builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ProcessorOptions>().BindConfiguration(ProcessorOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.AddSimulatorCredentials();
        builder.AddOperatorAccess();
        builder.Services.AddSingleton<SimulatorBehaviour>();
        builder.Services.AddSingleton<Idempotency>();
        builder.Services.AddSingleton<ProcessorStore>();
        builder.Services.AddSingleton<ProcessorQueries>();
        builder.Services.AddSingleton<WebhookOutbox>();
        builder.Services.AddSingleton<WebhookEndpointStore>();
        builder.Services.AddSingleton<OperationCompleter>();
        builder.Services.AddHostedService<ProcessorSchema>();
        // Registered after the schema so it stops before it, draining what it has accepted.
        builder.Services.AddSingleton<AuthorizationWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuthorizationWriter>());
        builder.Services.AddSingleton<ProcessorWork>();
        builder.Services.AddHostedService<OperationCompleterWorker>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        // Webhook redelivery has its own backoff schedule; the default resilience handler would retry behind its back.
        // The registered URL is the receiver's public address, used as given: no service-discovery handler resolving it
        // on every delivery (a fault inside that resolver once took processor-sim down under load).
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .RemoveAllResilienceHandlers()
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear());

        // One key ring for every instance, in Redis: a journal entry sealed by one instance is replayed by another,
        // and a panel's antiforgery token and circuit survive landing on a different instance.
        builder.Services.AddDataProtection().SetApplicationName("card-platform-simcontrol");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<StackExchange.Redis.IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), SimRedisKeys.DataProtectionKeys.ToString()));

        // What QA watches and runs: live per-second series, the request journal, traffic through the
        // platform API, the e-mails the platform sent.
        builder.Services.AddSecondSeries();
        builder.AddRequestJournal();
        builder.AddTrafficGenerator();
        builder.Services.AddOptions<Emails.EmailViewerOptions>().BindConfiguration(Emails.EmailViewerOptions.SectionName);
        builder.Services.AddSingleton<Emails.SunkEmails>();
        return builder;
    }
}
