using Platform.Api;
using Platform.Api.Accounts;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Cards;
using Platform.Api.Email;
using Platform.Api.Identity;
using Platform.Api.Outbox;
using Platform.Api.Reconciliation;
using Platform.Api.TestClock;
using Platform.Api.Statements;
using Platform.Api.Underwriting;
using Platform.Api.Webhooks;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.UseAuthRateLimits();
app.MapDefaultEndpoints();
app.MapApiDocuments();

app.MapPlatformIdentityApi();
app.MapAuditApi();
app.MapInternalAuditApi();
app.MapAccountsApi();
app.MapUnderwritingApi();
app.MapCardsApi();
app.MapAuthorizationsApi();
app.MapAlertRulesApi();
app.MapProcessorWebhooksApi();
app.MapReconciliationApi();
app.MapReversalQueueApi();
app.MapDeadLettersApi();
app.MapTestClockApi();
app.MapStatementsApi();

app.Run();

public partial class Program;
