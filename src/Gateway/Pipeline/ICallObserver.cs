namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// Told about every finished call (status, provider, option path, retries, usage, stream failure). Request logs,
/// metrics and spend settlement attach here; registered observers run after the response has been written.
/// </summary>
public interface ICallObserver
{
    void OnCompleted(GatewayCall call);
}
