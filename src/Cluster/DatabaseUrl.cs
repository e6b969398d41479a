using Microsoft.Extensions.Configuration;

namespace Switchyard.Cluster;

/// <summary>Where a process finds the cluster's PostgreSQL database: <c>SWITCHYARD_DATABASE_URL</c> or a file named by <c>SWITCHYARD_DATABASE_URL_FILE</c> (a mounted secret).</summary>
public static class DatabaseUrl
{
    public const string Setting = "SWITCHYARD_DATABASE_URL";

    public const string FileSetting = "SWITCHYARD_DATABASE_URL_FILE";

    /// <summary>The configured URL or connection string; null for the embedded default (no database).</summary>
    public static string? Read(IConfiguration configuration) =>
        configuration[Setting] is { Length: > 0 } inline ? inline
        : configuration[FileSetting] is { Length: > 0 } file ? File.ReadAllText(file).Trim()
        : null;
}
