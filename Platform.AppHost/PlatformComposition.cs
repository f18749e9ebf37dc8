using Microsoft.Extensions.Configuration;
using Platform.AppHost.LocalInfrastructure;

namespace Platform.AppHost;

/// <summary>The two stores every service uses, however they are provided.</summary>
internal sealed record PlatformStores(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis);

/// <summary>
/// Fixed localhost ports so people and scripts can find things; each overridable (Ports:Api and so on),
/// and 0 means "any free port" (the end-to-end tests use that to run beside a developer's running stack).
/// </summary>
internal sealed record PlatformPorts(int? Api, int? SimControl, int? Fraud, int ApiReplicas)
{
    public static PlatformPorts From(IConfiguration configuration) => new(
        Read(configuration, "Ports:Api", 5100),
        Read(configuration, "Ports:SimControl", 5200),
        Read(configuration, "Ports:Fraud", 5300),
        int.TryParse(configuration["Api:Replicas"], out var replicas) && replicas > 0 ? replicas : 1);

    private static int? Read(IConfiguration configuration, string key, int fallback)
    {
        var port = int.TryParse(configuration[key], out var configured) ? configured : fallback;
        return port == 0 ? null : port;
    }
}

internal static class PlatformCompositionExtensions
{
    /// <summary>The database name every service connects to; also the connection-string name they read.</summary>
    public const string DatabaseName = "platform";
    public const string RedisName = "redis";
    public const string OperatorEmail = "operator@card-platform.local";
    public const string OperatorPasswordName = "operator-password";

    public static PlatformStores AddPlatformStores(this IDistributedApplicationBuilder builder)
    {
        var binaries = LocalBinaries.Discover(builder.Configuration["LocalInfrastructure:PostgresBinDirectory"]);
        var mode = InfrastructureModeResolver.Resolve(builder.Configuration[InfrastructureModeResolver.ConfigurationKey], binaries);

        if (mode == InfrastructureMode.Containers)
        {
            var postgres = builder.AddPostgres("postgres").WithDataVolume();
            var database = postgres.AddDatabase(DatabaseName);
            var redis = builder.AddRedis(RedisName).WithDataVolume();
            return new PlatformStores(database, redis);
        }

        var dataDirectory = LocalDataDirectory.Resolve(
            builder.Configuration[LocalDataDirectory.DirectoryKey],
            wipe: bool.TryParse(builder.Configuration[LocalDataDirectory.WipeKey], out var wipe) && wipe);
        var localPostgres = builder.AddLocalPostgres("postgres", DatabaseName, binaries, dataDirectory);
        var localRedis = builder.AddLocalRedis(RedisName, binaries, dataDirectory);
        return new PlatformStores(localPostgres, localRedis);
    }

    /// <summary>
    /// Where the API's console sink writes e-mails (one folder each) and the panel reads them: <c>Email:SinkDirectory</c>,
    /// else <c>platform-email</c> under the temp folder (the API's own default).
    /// </summary>
    public static string EmailSinkDirectory(IConfiguration configuration) =>
        configuration["Email:SinkDirectory"] is { Length: > 0 } configured ? Path.GetFullPath(configured) : Path.Combine(Path.GetTempPath(), "platform-email");

    /// <summary>At least one of each letter case and a digit, so the value also passes password rules.</summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 48, Special = false, MinLower = 1, MinUpper = 1, MinNumeric = 1 }, secret: true, persist: true);

    public static IResourceBuilder<ProjectResource> AddPlatformService<TProject>(
        this IDistributedApplicationBuilder builder, string name, int? port, PlatformStores stores)
        where TProject : IProjectMetadata, new()
    {
        return builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(port: port, name: "http")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithReference(stores.Database, DatabaseName).WaitFor(stores.Database)
            .WithReference(stores.Redis, RedisName).WaitFor(stores.Redis)
            .WithHttpHealthCheck("/health");
    }
}
