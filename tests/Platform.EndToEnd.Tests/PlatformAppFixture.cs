using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.EndToEnd.Tests;

[CollectionDefinition(Name)]
public sealed class PlatformAppCollection : ICollectionFixture<PlatformAppFixture>
{
    public const string Name = "platform-app";
}

/// <summary>
/// The real AppHost, started once for the collection: local Postgres and Redis processes in a throwaway data folder,
/// every service on a free port so the suite can run beside a developer's running stack.
/// </summary>
public sealed class PlatformAppFixture : IAsyncLifetime
{
    public static readonly string[] ResourceNames = ["postgres", "redis", "fraud", "simcontrol", "api"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private string? dataDirectory;
    private DistributedApplication? app;

    public DistributedApplication App => app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        // Under /tmp: the postgres account has to traverse the path to its data folder.
        dataDirectory = Directory.CreateTempSubdirectory("platform-e2e-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Platform_AppHost>(
        [
            "--Infrastructure:Mode=local",
            $"--LocalInfrastructure:DataDirectory={dataDirectory}",
            "--Ports:Api=0",
            "--Ports:SimControl=0",
            "--Ports:Fraud=0",
        ]);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(timeout.Token);
        foreach (var resource in ResourceNames)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (dataDirectory is not null)
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
