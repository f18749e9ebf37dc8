using Platform.Fraud;
using Platform.Fraud.Scoring;
using Platform.Fraud.Training;

if (args is ["train", ..])
{
    return TrainingCommand.Run(args[1..]);
}

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
