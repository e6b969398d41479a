namespace Switchyard.FakeProvider.Content;

/// <summary>
/// The words a fake reply is made of. A reply is a word list rather than a string so that
/// truncation by max_tokens, streaming one chunk per word and usage counting all agree.
/// </summary>
internal static class ReplyText
{
    public const string EchoPrefix = "You said:";

    private static readonly string[] Vocabulary =
    [
        "switch", "yard", "signal", "track", "train", "engine", "freight", "platform",
        "junction", "lever", "rail", "sleeper", "ballast", "coupler", "wagon", "station",
        "timetable", "shunt", "depot", "crossing", "bridge", "tunnel", "gauge", "points",
        "brake", "whistle", "carriage", "cargo", "route", "branch", "line", "terminal",
        "river", "mountain", "valley", "harbor", "lantern", "compass", "meadow", "orchard",
        "copper", "silver", "amber", "violet", "granite", "willow", "falcon", "otter",
        "quick", "steady", "quiet", "bright", "early", "distant", "patient", "gentle",
        "north", "south", "east", "west", "morning", "evening", "winter", "summer",
    ];

    /// <summary>Splits on any whitespace, so runs of spaces or newlines in the prompt become single spaces in the reply.</summary>
    public static string[] Echo(string userText) => Words($"{EchoPrefix} {userText}");

    public static string[] Generated(string seedText, int count)
    {
        var seed = StableHash.Of(seedText);
        var words = new string[count];
        for (var i = 0; i < count; i++)
        {
            words[i] = Vocabulary[(int)(StableHash.Mix(seed, (ulong)i) % (ulong)Vocabulary.Length)];
        }

        return words;
    }

    public static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public static string[] Truncate(string[] words, int? maxWords, out bool truncated)
    {
        truncated = maxWords is int max && max < words.Length;
        return truncated ? words[..maxWords!.Value] : words;
    }
}
