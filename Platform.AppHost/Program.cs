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
// Services other than the API append to its audit spine with this key; made fresh each run, never stored.
var internalApiKey = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

// Long-lived secrets: generated once and kept in the AppHost's user secrets (override with Parameters:<name>), so
// velocity history and webhook signatures stay valid across restarts without a secret ever living in the repo.
var velocityHashKey = builder.AddGeneratedSecret("fraud-velocity-hash-key");
var webhookSecret = builder.AddGeneratedSecret("processor-webhook-secret");
// The credentials the platform presents to its counterparts, as a real processor, bureau and internal service demand.
var processorApiKey = builder.AddGeneratedSecret("processor-api-key");
var bureauApiKey = builder.AddGeneratedSecret("bureau-api-key");
var fraudApiKey = builder.AddGeneratedSecret("fraud-api-key");
// Applicants' SSNs and dates of birth are sealed under this key, and found again by a digest keyed with the other.
// Rotate by adding Pii__EncryptionKeys__k2 and pointing Pii__ActiveKeyId at it; k1 stays until no row uses it.
var piiEncryptionKey = builder.AddGeneratedSecret("pii-encryption-key-k1");
var ssnDigestKey = builder.AddGeneratedSecret("pii-ssn-digest-key");
// The Development operator's sign-in (seeded by the API in Development only); read it with `dotnet user-secrets list
// --project Platform.AppHost` (Parameters:operator-password).
var operatorPassword = builder.AddGeneratedSecret(PlatformCompositionExtensions.OperatorPasswordName);
// The API's console e-mail sink writes here and the panel's E-mails page reads the same folder.
var emailDirectory = PlatformCompositionExtensions.EmailSinkDirectory(builder.Configuration);

var fraud = builder.AddPlatformService<Projects.Platform_Fraud>("fraud", ports.Fraud, stores)
    .WithEnvironment("Fraud__VelocityHashKey", velocityHashKey)
    .WithEnvironment("Fraud__ApiKey", fraudApiKey);
var simControl = builder.AddPlatformService<Projects.Platform_SimControl>("simcontrol", ports.SimControl, stores)
    .WithEnvironment("AuditForwarding__ApiKey", internalApiKey)
    .WithEnvironment("Processor__WebhookSecret", webhookSecret)
    .WithEnvironment("Processor__ApiKey", processorApiKey)
    .WithEnvironment("Bureau__ApiKey", bureauApiKey)
    // The traffic generator signs in to the API as the operator and opens its own test accounts and cards.
    .WithEnvironment("Traffic__OperatorEmail", PlatformCompositionExtensions.OperatorEmail)
    .WithEnvironment("Traffic__OperatorPassword", operatorPassword)
    .WithEnvironment("Emails__Directory", emailDirectory)
    .WithResetSimulatorsCommand()
    .WithTrafficCommands();

var api = builder.AddPlatformService<Projects.Platform_Api>("api", ports.Api, stores)
    .WithEnvironment("InternalApi__Key", internalApiKey)
    .WithEnvironment("Processor__WebhookSecret", webhookSecret)
    .WithEnvironment("Processor__ApiKey", processorApiKey)
    .WithEnvironment("Bureau__ApiKey", bureauApiKey)
    .WithEnvironment("Fraud__ApiKey", fraudApiKey)
    .WithEnvironment("Pii__ActiveKeyId", "k1")
    .WithEnvironment("Pii__EncryptionKeys__k1", piiEncryptionKey)
    .WithEnvironment("Pii__SsnDigestKey", ssnDigestKey)
    .WithEnvironment("Identity__Operator__Email", PlatformCompositionExtensions.OperatorEmail)
    .WithEnvironment("Identity__Operator__Password", operatorPassword)
    .WithEnvironment("Email__SinkDirectory", emailDirectory)
    .WithReference(fraud).WaitFor(fraud)
    .WithReference(simControl).WaitFor(simControl)
    .WithReplicas(ports.ApiReplicas);
// The processor calls back on the API's one (load-balanced) address, whichever replica answers.
api.WithEnvironment("Processor__WebhookCallbackUrl", ReferenceExpression.Create($"{api.GetEndpoint("http")}/v1/webhooks/processor"));
// Links in customers' e-mails start with the API's public address, never with whatever Host a request claimed.
api.WithEnvironment("Identity__PublicBaseUrl", api.GetEndpoint("http"));

// simcontrol records its settings changes on the API's audit spine; no WaitFor, which would be a cycle:
// it keeps unsent changes and delivers them once the API answers.
simControl.WithReference(api)
    .WithEnvironment("AuditForwarding__ApiBaseUrl", api.GetEndpoint("http"));

builder.AnnounceEndpoints(api, simControl, fraud);

builder.Build().Run();
return 0;
