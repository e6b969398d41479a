namespace Switchyard.Bench.Micro.Payloads;

/// <summary>
/// The headers an official SDK sends with every call besides the Portkey ones; the planner scans all headers for
/// provider options, so their number is part of the cost.
/// </summary>
internal static class SdkHeaders
{
    public static readonly (string Name, string Value)[] OpenAi =
    [
        ("Host", "gateway.internal:8787"),
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("User-Agent", "OpenAI/Python 1.99.9"),
        ("X-Stainless-Lang", "python"),
        ("X-Stainless-Package-Version", "1.99.9"),
        ("X-Stainless-OS", "Linux"),
        ("X-Stainless-Arch", "x64"),
        ("X-Stainless-Runtime", "CPython"),
        ("X-Stainless-Runtime-Version", "3.12.3"),
        ("X-Stainless-Retry-Count", "0"),
    ];

    public static readonly (string Name, string Value)[] Anthropic =
    [
        ("Host", "gateway.internal:8787"),
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("User-Agent", "Anthropic/Python 0.64.0"),
        ("anthropic-version", "2023-06-01"),
        ("X-Stainless-Lang", "python"),
        ("X-Stainless-Package-Version", "0.64.0"),
        ("X-Stainless-Retry-Count", "0"),
    ];
}
