using Platform.AppHost;
using Platform.AppHost.LocalInfrastructure;

var builder = DistributedApplication.CreateBuilder(args);

PlatformStores stores;
try
{
    stores = builder.AddPlatformStores();
}
catch (InfrastructureUnavailableException ex)
{
    Console.Error.WriteLine($"Cannot start the platform: {ex.Message}");
    return 1;
}

var ports = PlatformPorts.From(builder.Configuration);

var fraud = builder.AddPlatformService<Projects.Platform_Fraud>("fraud", ports.Fraud, stores);
var simControl = builder.AddPlatformService<Projects.Platform_SimControl>("simcontrol", ports.SimControl, stores);

builder.AddPlatformService<Projects.Platform_Api>("api", ports.Api, stores)
    .WithReference(fraud).WaitFor(fraud)
    .WithReference(simControl).WaitFor(simControl)
    .WithReplicas(ports.ApiReplicas);

builder.Build().Run();
return 0;
