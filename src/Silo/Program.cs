using Switchyard.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddSwitchyardSilo();

var app = builder.Build();
app.MapSiloHealth();
await app.RunAsync();
