using Platform.Api;
using Platform.Api.Accounts;
using Platform.Api.Audit;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapApiDocuments();

app.MapAuditApi();
app.MapInternalAuditApi();
app.MapAccountsApi();

app.Run();

public partial class Program;
