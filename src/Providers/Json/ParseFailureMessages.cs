using System.Globalization;
using System.Text;

namespace Switchyard.Providers.Json;

/// <summary>
/// What a provider is told it broke when JSON that its protocol makes an object is not one. Both are composite formats:
/// <c>{0}</c> is the subject (the provider, or what it sent) and <c>{1}</c>, for JSON that does not parse, the parser's reason.
/// </summary>
internal sealed class ParseFailureMessages(string notJson, string notObject)
{
    private readonly CompositeFormat _notJson = CompositeFormat.Parse(notJson);
    private readonly CompositeFormat _notObject = CompositeFormat.Parse(notObject);

    public string NotJson(string? subject, string reason) => string.Format(CultureInfo.InvariantCulture, _notJson, subject, reason);

    public string NotObject(string? subject) => string.Format(CultureInfo.InvariantCulture, _notObject, subject);
}
