using System.Globalization;
using System.Text;

namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>One sample line: a series' name, its labels and its value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(IEnumerable<(string Name, string Value)> labels) =>
        labels.All(label => Labels.TryGetValue(label.Name, out var value) && value == label.Value);
}

/// <summary>
/// A scrape in the Prometheus text exposition format (version 0.0.4; OpenMetrics' <c># EOF</c> and <c># UNIT</c> lines are
/// accepted too): <c># HELP</c> and <c># TYPE</c> per family, one sample per line with its labels, label values with
/// their escapes (<c>\\</c>, <c>\"</c>, <c>\n</c>), histograms as <c>_bucket</c>/<c>_sum</c>/<c>_count</c> series.
/// Malformed input throws, so a test also checks what the exporter wrote is well formed.
/// </summary>
internal sealed class PrometheusText
{
    private PrometheusText(Dictionary<string, string> types, Dictionary<string, string> helps, List<PrometheusSample> samples)
    {
        Types = types;
        Helps = helps;
        Samples = samples;
    }

    /// <summary>Each family's type (<c>counter</c>, <c>gauge</c>, <c>histogram</c>, …) by its name.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyDictionary<string, string> Helps { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] == "TYPE")
                {
                    types[parts[2]] = parts.Length > 3 ? parts[3] : throw new FormatException($"TYPE without a type: {line}");
                }
                else if (parts.Length >= 3 && parts[1] == "HELP")
                {
                    helps[parts[2]] = parts.Length > 3 ? UnescapeHelp(parts[3]) : "";
                }

                continue; // # EOF, # UNIT and comments
            }

            samples.Add(ParseSample(line));
        }

        return new PrometheusText(types, helps, samples);
    }

    /// <summary>Samples of <paramref name="name"/> carrying every label given (others may be there too).</summary>
    public IEnumerable<PrometheusSample> Find(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels));

    /// <summary>The sum over the matching samples (0 when none: a series not yet created counts nothing).</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) => Find(name, labels).Sum(s => s.Value);

    /// <summary>The type of the family a sample belongs to (a histogram's <c>_bucket</c> belongs to the histogram).</summary>
    public string? TypeOf(string sampleName)
    {
        if (Types.TryGetValue(sampleName, out var type))
        {
            return type;
        }

        foreach (var suffix in (string[])["_bucket", "_sum", "_count", "_total"])
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && Types.TryGetValue(sampleName[..^suffix.Length], out type))
            {
                return type;
            }
        }

        return null;
    }

    private static PrometheusSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
        {
            throw new FormatException($"bad metric name in: {line}");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var label = line[i..equals].Trim();
                if (line[equals + 1] != '"')
                {
                    throw new FormatException($"label value not quoted in: {line}");
                }

                var value = new StringBuilder();
                var j = equals + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"bad escape in: {line}"),
                        });
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }

                labels[label] = value.ToString();
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        var fields = line[i..].Trim().Split(' ');
        var number = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var text => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, number);
    }

    /// <summary>HELP text escapes only <c>\\</c> and <c>\n</c>.</summary>
    private static string UnescapeHelp(string text)
    {
        var help = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is 'n' or '\\')
            {
                help.Append(text[++i] == 'n' ? '\n' : '\\');
            }
            else
            {
                help.Append(text[i]);
            }
        }

        return help.ToString();
    }
}
