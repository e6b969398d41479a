using Switchyard.FrontDoor;

var builder = WebApplication.CreateBuilder(args);
builder.AddSwitchyard();

var app = builder.Build();
app.MapSwitchyard();
app.Run();

/// <summary>The FrontDoor host; public so functional tests can start it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
