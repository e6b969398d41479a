using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.FakeProvider.Journal;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<JournalEntry>))]
internal sealed partial class JournalJsonContext : JsonSerializerContext
{
    /// <summary>Bodies are JSON themselves; relaxed escaping keeps their quotes readable in the journal.</summary>
    public static JournalJsonContext Readable { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
