using System.Text.Json;

namespace Switchyard.FakeProvider.Tests;

/// <summary>How the FakeProvider tests read what the fake sent: SSE data lines (and the I/O error a cut ends with), JSON, usage.</summary>
internal static class FakeReading
{
    public static async Task<StreamRead> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<string>();
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    events.Add(line["data: ".Length..]);
                }
            }
        }
        catch (IOException failure)
        {
            return new StreamRead([.. events], failure);
        }

        return new StreamRead([.. events], null);
    }

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response) => Parse(await response.Content.ReadAsStringAsync());

    public static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    public static string ContentOf(JsonElement completion) =>
        completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    public static JsonElement Delta(JsonElement chunk) => chunk.GetProperty("choices")[0].GetProperty("delta");

    public static (int Prompt, int Completion, int Total) Usage(JsonElement body)
    {
        var usage = body.GetProperty("usage");
        return (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
    }
}

internal sealed record StreamRead(string[] Events, IOException? Failure);
