namespace Switchyard.Gateway.Routing;

/// <summary>What the parser needs to know about the world to validate a config.</summary>
/// <param name="IsKnownProvider">True when a provider slug (lowercase, compared as given) is served.</param>
/// <param name="CheckCustomHost">Returns why a <c>custom_host</c> is refused (SSRF rules), or null when it is allowed.</param>
/// <param name="HasDefaultProvider">True when the request named a provider by header, so leaves may leave <c>provider</c> out.</param>
/// <param name="MaxRetryAttempts">Upper bound for <c>retry.attempts</c>; default 10.</param>
public sealed record ConfigValidationContext(
    Func<string, bool> IsKnownProvider,
    Func<string, string?> CheckCustomHost,
    bool HasDefaultProvider,
    int MaxRetryAttempts = 10);
