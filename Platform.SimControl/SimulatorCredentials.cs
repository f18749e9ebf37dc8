using Microsoft.Extensions.Options;
using Platform.SimControl.Bureau;
using Platform.SimControl.Processor;

namespace Platform.SimControl;

/// <summary>The credentials the simulators demand of their caller, as the real processor and bureau do.</summary>
internal static class SimulatorCredentials
{
    public const string ProcessorScheme = "processor-api-key";
    public const string BureauScheme = "bureau-api-key";

    public static IHostApplicationBuilder AddSimulatorCredentials(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BureauOptions>().BindConfiguration(BureauOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddAuthentication()
            .AddApiKey(ProcessorScheme)
            .AddApiKey(BureauScheme);
        builder.Services.AddOptions<ApiKeyAuthenticationOptions>(ProcessorScheme)
            .Configure<IOptions<ProcessorOptions>>((o, processor) => (o.Key, o.ClientName) = (processor.Value.ApiKey, "platform-api"));
        builder.Services.AddOptions<ApiKeyAuthenticationOptions>(BureauScheme)
            .Configure<IOptions<BureauOptions>>((o, bureau) => (o.Key, o.ClientName) = (bureau.Value.ApiKey, "platform-api"));
        builder.Services.AddAuthorization();
        return builder;
    }
}
