using System.Text.Json.Serialization.Metadata;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Answers in Portkey's admin shapes: 200 with a JSON object on success (<c>{}</c> for updates and deletes), and an
/// error body both SDKs read (<c>message</c> for Node, <c>error.message</c> for Python) with an AB code.
/// </summary>
internal static class AdminResults
{
    public static IResult Ok<T>(T value, JsonTypeInfo<T> typeInfo) => TypedResults.Json(value, typeInfo);

    public static IResult Done() => TypedResults.Json(new Empty(), AdminJsonContext.Default.Empty);

    public static IResult List<T>(IReadOnlyList<T> items, int total, JsonTypeInfo<AdminList<T>> typeInfo) =>
        TypedResults.Json(new AdminList<T>("list", total, items), typeInfo);

    /// <summary>400 AB01: the request is wrong; every problem is listed.</summary>
    public static IResult Invalid(IReadOnlyList<string> errors) =>
        Error(StatusCodes.Status400BadRequest, "AB01", "invalid_request_error", "Invalid request: " + string.Join("; ", errors), errors);

    public static IResult Invalid(string message) =>
        Error(StatusCodes.Status400BadRequest, "AB01", "invalid_request_error", message, null);

    /// <summary>404 AB08: the record named in the path does not exist (in the workspace asked about).</summary>
    public static IResult NotFound(string what) =>
        Error(StatusCodes.Status404NotFound, "AB08", "not_found_error", $"{what} not found", null);

    /// <summary>404 AB02: a workspace named in the body or query does not exist.</summary>
    public static IResult WorkspaceNotFound(string id) =>
        Error(StatusCodes.Status404NotFound, "AB02", "not_found_error", $"Workspace '{id}' not found", null);

    public static IResult Unauthorized(string message) =>
        Error(StatusCodes.Status401Unauthorized, "AB05", "authentication_error", message, null);

    /// <summary>403 AB03: the caller is known but may not do this (a missing scope, another workspace's record).</summary>
    public static IResult Forbidden(string message) =>
        Error(StatusCodes.Status403Forbidden, "AB03", "permission_error", message, null);

    public static IResult Conflict(string message) =>
        Error(StatusCodes.Status409Conflict, "AB07", "conflict_error", message, null);

    public static IResult Failure(string message) =>
        Error(StatusCodes.Status500InternalServerError, "AB04", "server_error", message, null);

    private static IResult Error(int status, string code, string type, string message, IReadOnlyList<string>? errors) =>
        TypedResults.Json(
            new AdminError("failure", message, new AdminErrorDetail(message, type, code, null), errors),
            AdminJsonContext.Default.AdminError,
            statusCode: status);
}
