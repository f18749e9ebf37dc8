using Platform.SimControl;
using Platform.SimControl.Bureau;
using Platform.SimControl.Components;
using Platform.SimControl.Control;
using Platform.SimControl.Emails;
using Platform.SimControl.Journal;
using Platform.SimControl.Operators;
using Platform.SimControl.Processor;
using Platform.SimControl.Traffic;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling("/error", SimControlPaths.Apis);
app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapOpenApi();

app.MapProcessorApi();
app.MapBureauApi();
app.MapControlApi().RequireOperator(app.Services, OperatorAccess.ControlApiPolicy);
app.MapJournalApi().RequireOperator(app.Services, OperatorAccess.ControlApiPolicy);
app.MapTrafficApi().RequireOperator(app.Services, OperatorAccess.ControlApiPolicy);
// The panel's e-mail page loads bodies and attachments from here with its sign-in cookie, which the policy accepts.
app.MapEmailsApi().RequireOperator(app.Services, OperatorAccess.ControlApiPolicy);
app.MapOperatorSignIn();

app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode()
    .RequireOperator(app.Services, OperatorAccess.PanelPolicy);

app.Run();

public partial class Program;
