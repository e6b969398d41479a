using System.Text.Json;
using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Portkey's feedback: a score (−10…10, weighted 0…1) given to a trace, in the caller's workspace. The trace need not
/// be logged yet (feedback often arrives first, or for a trace logged elsewhere); analytics joins them by trace id.
/// </summary>
internal static class FeedbackEndpoints
{
    public const int MinValue = -10;
    public const int MaxValue = 10;

    public static RouteGroupBuilder MapFeedbackEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/feedback", CreateAsync).RequireScope("feedback.write");
        admin.MapPut("/feedback/{id}", UpdateAsync).RequireScope("feedback.write");
        return admin;
    }

    /// <summary><c>POST /v1/feedback</c>: one object, an array, or Node's <c>{"0":{…}}</c>; all kept or none.</summary>
    private static async Task<IResult> CreateAsync(
        HttpRequest request, IKeyStore keys, RequestLogAccess logs, TimeProvider time, CancellationToken cancellationToken)
    {
        var (write, problem) = await ItemsBody.ReadForWriteAsync(request, keys, logs, cancellationToken);
        if (write is null)
        {
            return problem!;
        }

        var (items, workspace, store) = write;

        var now = time.GetUtcNow();
        var feedback = new List<LogFeedback>(items.Count);
        var errors = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var prefix = items.Count == 1 ? "" : $"[{i}].";
            var item = items[i];
            var traceId = TraceId(item);
            if (string.IsNullOrWhiteSpace(traceId))
            {
                errors.Add(prefix + "trace_id: is required");
            }

            var (value, weight, metadata) = Score(item, prefix, errors, required: true);
            errors.AddRange(item.Errors.Select(e => prefix + e));
            if (errors.Count == 0)
            {
                feedback.Add(new LogFeedback(Guid.CreateVersion7(now).ToString(), workspace.Id, traceId!, value!.Value, weight ?? 1.0, metadata ?? RequestLogRecord.NoMetadata, now, now));
            }
        }

        if (errors.Count > 0)
        {
            return AdminResults.Invalid(errors);
        }

        await store.AddFeedbackAsync(feedback, cancellationToken);
        return Answer("feedback successfully saved", feedback.Select(f => f.Id).ToArray());
    }

    /// <summary><c>PUT /v1/feedback/{id}</c> <c>{value, weight, metadata}</c>: a weight or metadata left out stays as it was.</summary>
    private static async Task<IResult> UpdateAsync(
        string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var errors = new List<string>();
        var (value, weight, metadata) = Score(body, "", errors, required: true);
        errors.AddRange(body.Errors);
        if (errors.Count > 0)
        {
            return AdminResults.Invalid(errors);
        }

        var (read, problem) = await logs.ForReadAsync(keys, request, body, cancellationToken);
        if (read is null)
        {
            return problem!;
        }

        var (store, workspaces) = read;

        var existing = await store.GetFeedbackAsync(workspaces, id, cancellationToken);
        if (existing is null)
        {
            return AdminResults.NotFound($"Feedback '{id}'");
        }

        var updated = existing with
        {
            Value = value!.Value,
            Weight = weight ?? existing.Weight,
            Metadata = metadata ?? existing.Metadata,
            UpdatedAt = time.GetUtcNow(),
        };
        return await store.UpdateFeedbackAsync(updated, cancellationToken)
            ? Answer("feedback successfully updated", [id])
            : AdminResults.NotFound($"Feedback '{id}'");
    }

    private static IResult Answer(string message, IReadOnlyList<string> ids) =>
        AdminResults.Ok(new FeedbackAnswer("success", message, ids, ids), ObservabilityJsonContext.Default.FeedbackAnswer);

    /// <summary><c>trace_id</c>, <c>traceId</c> or Node's <c>traceID</c> (kept as written inside an array).</summary>
    private static string? TraceId(AdminBody item) =>
        item.Field("trace_id") is { ValueKind: JsonValueKind.String } snake ? snake.GetString()
        : item.Field("traceID") is { ValueKind: JsonValueKind.String } node ? node.GetString()
        : item.Field("trace_id") is { } other && other.ValueKind != JsonValueKind.Null ? ReportNotString(item) : null;

    private static string? ReportNotString(AdminBody item)
    {
        item.Errors.Add("trace_id: must be a string");
        return null;
    }

    private static (int? Value, double? Weight, IReadOnlyDictionary<string, string>? Metadata) Score(
        AdminBody item, string prefix, List<string> errors, bool required)
    {
        int? value = null;
        switch (item.Field("value"))
        {
            case { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var n) && n is >= MinValue and <= MaxValue:
                value = n;
                break;
            case null or { ValueKind: JsonValueKind.Null } when required:
                errors.Add(prefix + $"value: is required (a whole number from {MinValue} to {MaxValue})");
                break;
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            default:
                errors.Add(prefix + $"value: must be a whole number from {MinValue} to {MaxValue}");
                break;
        }

        double? weight = null;
        switch (item.Field("weight"))
        {
            case { ValueKind: JsonValueKind.Number } number when number.TryGetDouble(out var w) && w is >= 0 and <= 1:
                weight = w;
                break;
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            default:
                errors.Add(prefix + "weight: must be a number from 0 to 1");
                break;
        }

        IReadOnlyDictionary<string, string>? metadata = null;
        switch (item.Field("metadata"))
        {
            case { ValueKind: JsonValueKind.Object } given:
                // Portkey's metadata holds any JSON; values that are not strings are kept as their JSON text.
                metadata = given.EnumerateObject().ToDictionary(
                    p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);
                break;
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            default:
                errors.Add(prefix + "metadata: must be an object");
                break;
        }

        return (value, weight, metadata);
    }
}
