using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Azure;

/// <summary>
/// Azure's streams are OpenAI's, plus a first chunk with no choices that only reports the prompt's content filter
/// results (<c>prompt_filter_results</c>), and content-filter chunks whose <c>id</c>, <c>created</c> and <c>model</c>
/// may be empty. The first is dropped (OpenAI clients read <c>choices[0]</c>); the others get the stream's own values.
/// </summary>
internal sealed class AzureStreamTranslator : IStreamTranslator
{
    private static readonly ParseFailureMessages Chunk = new("the upstream sent a malformed chunk (not valid JSON)", "the upstream sent a chunk that is not a JSON object");

    private string? _id;
    private long _created;
    private string? _model;

    public void Translate(StreamEvent upstream, List<byte[]> output)
    {
        if (upstream.IsDone)
        {
            output.Add(upstream.Data);
            return;
        }

        using (var document = ProviderJson.ParseObject(upstream.Data, default, Chunk, subject: null))
        {
            var chunk = document.RootElement;
            if (chunk.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : "an error";
                throw new UpstreamStreamException(message!);
            }

            var hasChoices = chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0;
            var hasUsage = chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object;
            if (!hasChoices && !hasUsage)
            {
                return;
            }

            var fields = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>(3);
            Fill(chunk, "id", ref _id, fields);
            Fill(chunk, "model", ref _model, fields);
            if (chunk.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.Number && created.TryGetInt64(out var seconds) && seconds > 0)
            {
                _created = _created == 0 ? seconds : _created;
            }
            else if (_created > 0)
            {
                fields.Add(new("created", JsonSerializer.SerializeToUtf8Bytes(_created)));
            }

            output.Add(fields.Count == 0 ? upstream.Data : JsonBodyRewriter.SetFields(upstream.Data, fields).ToArray());
        }
    }

    private static void Fill(JsonElement chunk, string name, ref string? seen, List<KeyValuePair<string, ReadOnlyMemory<byte>>> fields)
    {
        var value = chunk.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (!string.IsNullOrEmpty(value))
        {
            seen ??= value;
        }
        else if (seen is not null)
        {
            fields.Add(new(name, JsonSerializer.SerializeToUtf8Bytes(seen)));
        }
    }
}
