using Switchyard.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddSwitchyardSilo();
builder.AddSiloTelemetry();

var app = builder.Build();
app.MapSiloHealth();
app.MapSiloMetrics();
await app.RunAsync();
