using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Turns <c>streamGenerateContent?alt=sse</c> events (each a whole <c>GenerateContentResponse</c> holding the next
/// piece) into OpenAI chunks. Gemini's stream has no terminal event: it ends when the HTTP body ends, and its last
/// chunk is the one carrying <c>finishReason</c> (with the final <c>usageMetadata</c>). So the stream counts as
/// complete, and the finish chunk, usage chunk and <c>[DONE]</c> go out, once every candidate seen has a
/// <c>finishReason</c>; a body that ends before that is a broken stream. Function calls arrive whole in one part,
/// so each becomes one tool-call delta carrying its id, name and all its arguments.
/// </summary>
internal sealed class GeminiStreamTranslator(string model, long created, Func<string> ids) : IStreamTranslator
{
    private readonly Dictionary<int, Candidate> _candidates = [];
    private readonly OpenAiChunks _chunks = new(null, created, model);
    private JsonElement? _usage;
    private bool _done;

    public void Translate(StreamEvent upstream, List<byte[]> output)
    {
        if (_done || upstream.IsDone)
        {
            return;
        }

        using (var document = ProviderJson.ParseEvent(upstream, GeminiAdapter.Name))
        {
            var root = document.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                throw new UpstreamStreamException(error.String("message") ?? error.GetRawText());
            }

            if (_chunks.Id is null)
            {
                _chunks.Id = "chatcmpl-" + (root.String("responseId") ?? ids());
                _chunks.Model = root.String("modelVersion") ?? _chunks.Model;
            }

            if (root.TryGetProperty("usageMetadata", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                _usage = usage.Clone();
            }

            var any = false;
            if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
            {
                var position = 0;
                foreach (var candidate in candidates.EnumerateArray())
                {
                    Translate(candidate, GeminiResponseTranslator.Index(candidate, position++), output);
                    any = true;
                }
            }

            if (!any && root.TryGetProperty("promptFeedback", out var feedback) && feedback.String("blockReason") is not null)
            {
                // A blocked prompt gets one chunk with no candidates: that is the end.
                var blocked = Start(0, output);
                blocked.Finished = true;
                output.Add(_chunks.Finish("content_filter"));
            }

            if (_candidates.Count > 0 && _candidates.Values.All(c => c.Finished))
            {
                if (_usage is { } finalUsage)
                {
                    output.Add(_chunks.Usage(GeminiResponseTranslator.Usage(finalUsage)));
                }

                output.Add(OpenAiChunks.Done);
                _done = true;
            }
        }
    }

    private void Translate(JsonElement candidate, int index, List<byte[]> output)
    {
        var state = Start(index, output);
        foreach (var part in GeminiResponseTranslator.Parts(candidate))
        {
            if (GeminiResponseTranslator.IsText(part, out var text))
            {
                if (text.Length > 0)
                {
                    output.Add(_chunks.Content(text, index));
                }
            }
            else if (part.TryGetProperty("functionCall", out var call))
            {
                output.Add(_chunks.ToolCall(state.ToolCalls++, GeminiResponseTranslator.ToolCall(call, ids), index));
            }
        }

        if (!state.Finished && GeminiResponseTranslator.FinishReason(candidate.String("finishReason"), state.ToolCalls > 0) is { } finish)
        {
            state.Finished = true;
            output.Add(_chunks.Finish(finish, index));
        }
    }

    /// <summary>The candidate's state; the first time it appears, its role chunk goes out.</summary>
    private Candidate Start(int index, List<byte[]> output)
    {
        if (!_candidates.TryGetValue(index, out var state))
        {
            state = new Candidate();
            _candidates[index] = state;
            output.Add(_chunks.Role(index));
        }

        return state;
    }

    private sealed class Candidate
    {
        public int ToolCalls { get; set; }

        public bool Finished { get; set; }
    }
}
