using Platform.Fraud;
using Platform.Fraud.Scoring;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapScoringApi();

app.Run();
return 0;

public partial class Program;
