using System.Buffers;
using System.Text.Json;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// An export's file: one JSON object per line (JSONL) per record, oldest first, holding only the fields the export
/// asked for (<c>requested_data</c>, Portkey's names). Written straight from the store's stream, never buffered whole.
/// </summary>
internal static class ExportFile
{
    /// <summary>Every field an export may ask for.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "id", "trace_id", "created_at", "request", "response", "is_success", "ai_org", "ai_model", "req_units", "res_units",
        "total_units", "cost", "cost_currency", "response_time", "response_status_code", "metadata", "workspace_id",
        "api_key_id", "virtual_key", "config", "cache_status", "span_id", "span_name", "user", "kind",
    ];

    public static async Task WriteAsync(Stream output, IAsyncEnumerable<RequestLogRecord> records, IReadOnlyList<string> fields, CancellationToken cancellationToken)
    {
        // Each line is built in memory and written asynchronously: the response body refuses synchronous writes.
        var line = new ArrayBufferWriter<byte>(4096);
        await using var writer = new Utf8JsonWriter(line, new JsonWriterOptions { SkipValidation = true });
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            line.ResetWrittenCount();
            writer.Reset(line);
            Write(writer, record, fields);
            writer.Flush();
            line.Write("\n"u8);
            await output.WriteAsync(line.WrittenMemory, cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
    }

    private static void Write(Utf8JsonWriter json, RequestLogRecord r, IReadOnlyList<string> fields)
    {
        json.WriteStartObject();
        foreach (var field in fields)
        {
            switch (field)
            {
                case "id": json.WriteString(field, r.Id); break;
                case "trace_id": json.WriteString(field, r.TraceId); break;
                case "created_at": json.WriteString(field, r.CreatedAt); break;
                case "request": Raw(json, field, LogViews.View(r).Request); break;
                case "response": Raw(json, field, LogViews.View(r).Response); break;
                case "is_success": json.WriteBoolean(field, !r.IsError); break;
                case "ai_org": json.WriteString(field, r.Provider); break;
                case "ai_model": json.WriteString(field, r.ModelUsed ?? r.ModelRequested); break;
                case "req_units": json.WriteNumber(field, r.InputTokens); break;
                case "res_units": json.WriteNumber(field, r.OutputTokens); break;
                case "total_units": json.WriteNumber(field, r.InputTokens + r.OutputTokens); break;
                case "cost": json.WriteNumber(field, LogViews.Cents(r.CostMicros)); break;
                case "cost_currency": json.WriteString(field, "USD"); break;
                case "response_time": json.WriteNumber(field, r.TotalMs); break;
                case "response_status_code": json.WriteNumber(field, r.Status); break;
                case "metadata":
                    json.WriteStartObject(field);
                    foreach (var (key, value) in r.Metadata)
                    {
                        json.WriteString(key, value);
                    }

                    json.WriteEndObject();
                    break;
                case "workspace_id": json.WriteString(field, r.WorkspaceId); break;
                case "api_key_id": json.WriteString(field, r.ApiKeyId); break;
                case "virtual_key": json.WriteString(field, r.VirtualKey); break;
                case "config": json.WriteString(field, r.ConfigId); break;
                case "cache_status": json.WriteString(field, r.CacheStatus); break;
                case "span_id": json.WriteString(field, r.SpanId); break;
                case "span_name": json.WriteString(field, r.SpanName); break;
                case "user": json.WriteString(field, r.User); break;
                case "kind": json.WriteString(field, r.Kind); break;
            }
        }

        json.WriteEndObject();
    }

    private static void Raw<T>(Utf8JsonWriter json, string name, T value)
    {
        json.WritePropertyName(name);
        var typeInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)ObservabilityJsonContext.Default.GetTypeInfo(typeof(T))!;
        JsonSerializer.Serialize(json, value, typeInfo);
    }
}
