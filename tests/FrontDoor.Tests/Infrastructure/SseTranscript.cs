using System.Text;
using System.Text.Json;

namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>Everything a client received on an event stream, read to the end.</summary>
internal sealed record SseTranscript(IReadOnlyList<string> Data, bool Broken)
{
    public bool EndedWithDone => Data.Count > 0 && Data[^1] == "[DONE]";

    public IEnumerable<JsonElement> Chunks => Data.Where(d => d != "[DONE]").Select(d => JsonDocument.Parse(d).RootElement);

    /// <summary>The chat text the deltas add up to.</summary>
    public string Content => string.Concat(Chunks
        .Where(c => c.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0)
        .Select(c => c.GetProperty("choices")[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) ? content.GetString() : ""));

    public static async Task<SseTranscript> ReadAsync(HttpResponseMessage response)
    {
        var data = new List<string>();
        var broken = false;
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
            var current = new StringBuilder();
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length == 0)
                {
                    if (current.Length > 0)
                    {
                        data.Add(current.ToString());
                        current.Clear();
                    }
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    current.Append(line["data: ".Length..]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            broken = true;
        }

        return new SseTranscript(data, broken);
    }
}
