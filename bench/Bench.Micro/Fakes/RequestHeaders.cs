using Switchyard.Gateway.Pipeline;

namespace Switchyard.Bench.Micro.Fakes;

/// <summary>Client request headers, looked up case-insensitively as Kestrel does.</summary>
internal sealed class RequestHeaders(params (string Name, string Value)[] headers) : IRequestHeaders
{
    private readonly Dictionary<string, string> _byName = headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);

    public string? this[string name] => _byName.GetValueOrDefault(name);

    public IEnumerable<KeyValuePair<string, string>> All => _byName;
}
