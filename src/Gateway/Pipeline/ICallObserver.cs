namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// Told about every finished call (status, provider, option path, retries, usage, stream failure). Request logs,
/// metrics and spend settlement attach here; registered observers run after the response has been written.
/// </summary>
public interface ICallObserver
{
    void OnCompleted(GatewayCall call);

    /// <summary>
    /// Asked once per call, after planning: whether this observer needs the bytes the client receives
    /// (a JSON body, a stream's chunks), so writers keep them only when someone reads them.
    /// </summary>
    bool WantsAnswer(GatewayCall call) => false;
}
