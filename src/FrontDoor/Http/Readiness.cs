namespace Switchyard.FrontDoor.Http;

/// <summary>Ready once the host has started, not ready from the moment it begins to stop (so load balancers drain it first).</summary>
internal sealed class Readiness
{
    private volatile bool _ready;

    public Readiness(IHostApplicationLifetime lifetime)
    {
        lifetime.ApplicationStarted.Register(() => _ready = true);
        lifetime.ApplicationStopping.Register(() => _ready = false);
    }

    public bool IsReady => _ready;
}
