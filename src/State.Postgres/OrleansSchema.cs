namespace Switchyard.State.Postgres;

/// <summary>
/// What schema migration 5 (<see cref="SchemaMigrations"/>) sets up for Orleans' ADO.NET providers
/// (Microsoft.Orleans.Clustering.AdoNet and Microsoft.Orleans.Persistence.AdoNet, 10.4.2, invariant <c>Npgsql</c>): the
/// <c>orleans</c> schema with the membership tables, the grain state table and the <c>OrleansQuery</c> rows the providers
/// run. The providers connect with <see cref="PostgresConnection.ForOrleans"/>.
/// </summary>
/// <remarks>
/// The providers issue no SQL of their own beyond <c>SELECT QueryKey, QueryText FROM OrleansQuery</c>: everything else is
/// the text stored under these keys, run with the providers' named parameters. Clustering refuses to start unless every
/// key in <see cref="ClusteringQueryKeys"/> is present; grain storage needs the keys in <see cref="StorageQueryKeys"/>.
/// </remarks>
internal static class OrleansSchema
{
    public const string Name = "orleans";

    /// <summary>
    /// The clustering keys 10.4.2 reads. <c>CleanupDefunctSiloEntryKey</c> is optional to the provider; when present it
    /// prunes dead silos one row at a time, and only if the row still holds the values the provider just read.
    /// </summary>
    public static IReadOnlyList<string> ClusteringQueryKeys { get; } =
    [
        "GatewaysQueryKey",
        "MembershipReadRowKey",
        "MembershipReadAllKey",
        "InsertMembershipVersionKey",
        "UpdateIAmAlivetimeKey",
        "InsertMembershipKey",
        "UpdateMembershipKey",
        "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
        "CleanupDefunctSiloEntryKey",
    ];

    /// <summary>The grain storage keys 10.4.2 reads; <c>DeleteStorageKey</c> serves the DeleteStateOnClear option.</summary>
    public static IReadOnlyList<string> StorageQueryKeys { get; } =
    [
        "ReadFromStorageKey",
        "WriteToStorageKey",
        "ClearStorageKey",
        "DeleteStorageKey",
    ];
}
