using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Switchyard.State.Embedded;

/// <summary>Registers <see cref="SqliteGrainStorage"/> with a silo.</summary>
public static class SqliteGrainStorageExtensions
{
    /// <summary>
    /// Adds a grain storage provider named <paramref name="name"/> that keeps grain state in the embedded database file
    /// at <paramref name="databasePath"/> (relative paths resolve against the current directory, as
    /// <see cref="EmbeddedState.Open"/> does). The file must be migrated (<see cref="EmbeddedStores.Migrator"/>) before the
    /// first grain reads its state; opening the stores and the silo over one file in one process is the intended use.
    /// States are serialized with the silo's <see cref="IGrainStorageSerializer"/>.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);

        var fullPath = Path.GetFullPath(databasePath);
        builder.Services.AddGrainStorage(name, (services, providerName) => new SqliteGrainStorage(
            providerName,
            new SqliteDatabase(fullPath),
            services.GetRequiredService<IGrainStorageSerializer>(),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }
}
