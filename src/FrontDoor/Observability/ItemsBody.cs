using System.Text.Json;
using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// A body that holds one item or many, in the three forms the SDKs send: one object, a JSON array (Python's bulk
/// calls), or the object the Node SDK makes of an array (<c>{"0":{…},"1":{…}}</c>). Each item is read like an admin
/// body, so its top-level keys may be snake_case or camelCase.
/// </summary>
internal static class ItemsBody
{
    public const int MaxItems = 1000;

    public static async Task<(IReadOnlyList<AdminBody>? Items, string? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return (null, "The request body is empty; send a JSON object or an array of them.");
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return (null, $"The request body is not valid JSON: {ex.Message}");
        }

        IReadOnlyList<JsonElement> items = root.ValueKind switch
        {
            JsonValueKind.Array => root.EnumerateArray().ToArray(),
            JsonValueKind.Object when IsSpreadArray(root) => root.EnumerateObject().OrderBy(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture)).Select(p => p.Value).ToArray(),
            JsonValueKind.Object => [root],
            _ => [],
        };
        if (items.Count == 0)
        {
            return (null, "The request body must be a JSON object or a non-empty array of objects.");
        }

        if (items.Count > MaxItems)
        {
            return (null, $"At most {MaxItems} items may be sent at once ({items.Count} were).");
        }

        var index = items.Select((item, i) => (item, i)).FirstOrDefault(x => x.item.ValueKind != JsonValueKind.Object);
        if (index.item.ValueKind != JsonValueKind.Undefined)
        {
            return (null, $"[{index.i}]: must be a JSON object");
        }

        return (items.Select(AdminBody.FromElement).ToArray(), null);
    }

    /// <summary>Node's spread of an array: every key a 0-based index, in order, every value an object.</summary>
    private static bool IsSpreadArray(JsonElement root)
    {
        var expected = 0;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != expected.ToString(System.Globalization.CultureInfo.InvariantCulture) || property.Value.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            expected++;
        }

        return expected > 0;
    }

    /// <summary>
    /// A write of one item or many to the caller's log (custom logs, feedback): the items, the workspace they go to
    /// (from the first item's <c>workspace_id</c> or the caller's key) and the store; or the answer that refuses it.
    /// </summary>
    public static async Task<(LogWrite? Write, IResult? Problem)> ReadForWriteAsync(
        HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (items, bodyProblem) = await ReadAsync(request, cancellationToken);
        if (items is null)
        {
            return (null, AdminResults.Invalid(bodyProblem!));
        }

        var (workspace, problem) = await LogScope.ForWriteAsync(keys, request, items[0], cancellationToken);
        if (workspace is null)
        {
            return (null, problem);
        }

        return logs.Store is { } store ? (new LogWrite(items, workspace, store), null) : (null, RequestLogAccess.Missing());
    }
}

/// <summary>What a write to the log goes with: its items, the workspace they belong to, the store.</summary>
internal sealed record LogWrite(IReadOnlyList<AdminBody> Items, Workspace Workspace, IRequestLogStore Store);
