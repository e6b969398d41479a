using Switchyard.FrontDoor;
using Switchyard.FrontDoor.State;

var builder = WebApplication.CreateBuilder(args);
builder.AddSwitchyard();

var app = builder.Build();
if (args is ["migrate", ..])
{
    // `dotnet run --project src/FrontDoor -- migrate`: bring the schema up to date and exit (a cluster's migration job).
    return await app.MigrateStateAsync();
}

app.MapSwitchyard();
await app.RunAsync();
return 0;

/// <summary>The FrontDoor host; public so functional tests can start it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
