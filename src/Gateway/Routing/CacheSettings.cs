namespace Switchyard.Gateway.Routing;

/// <summary>A node's <c>cache</c>. Parsed and inherited here; the cache itself is applied elsewhere.</summary>
/// <param name="Mode"><c>simple</c> or <c>semantic</c>.</param>
/// <param name="MaxAgeSeconds">Entry lifetime in seconds (Portkey's docs and hosted gateway use seconds; OSS reads milliseconds); null when absent.</param>
public sealed record CacheSettings(string Mode, int? MaxAgeSeconds);
