using Microsoft.Data.Sqlite;
using Switchyard.State.Embedded;

namespace Switchyard.State.Tests.Embedded;

public sealed class EmbeddedStateTests
{
    [Fact]
    public async Task Open_PathInMissingFolder_CreatesTheFolderAndReportsAnAbsolutePath()
    {
        var root = Directory.CreateTempSubdirectory("switchyard-state-").FullName;
        try
        {
            var path = Path.Combine(root, ".data", "switchyard.db");

            await using var stores = EmbeddedState.Open(path);
            await stores.Migrator.MigrateAsync(default);

            Assert.Equal(path, stores.DatabasePath);
            Assert.True(File.Exists(path));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void DefaultDatabasePath_IsUnderTheDataFolder()
    {
        Assert.Equal(".data/switchyard.db", EmbeddedState.DefaultDatabasePath);
    }

    [Fact]
    public async Task OpenConnection_Always_HasWalForeignKeysAndBusyTimeout()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        var database = new SqliteDatabase(backend.DatabasePath);

        await using var connection = await database.OpenAsync(default);

        Assert.Equal("wal", await Pragma(connection, "journal_mode"));
        Assert.Equal("1", await Pragma(connection, "foreign_keys"));
        Assert.Equal("5000", await Pragma(connection, "busy_timeout"));
    }

    [Fact]
    public async Task Dispose_AfterWrites_ClosesTheFileAndFoldsTheWalBackIn()
    {
        var root = Directory.CreateTempSubdirectory("switchyard-state-").FullName;
        try
        {
            var path = Path.Combine(root, "switchyard.db");
            var stores = EmbeddedState.Open(path);
            await stores.Migrator.MigrateAsync(default);
            var workspace = await stores.Keys.AddWorkspaceAsync(Contracts.StoreSamples.NewWorkspace(), default);
            Assert.True(File.Exists(path + "-wal"));

            await stores.DisposeAsync();

            Assert.False(File.Exists(path + "-wal"));
            await using var reopened = EmbeddedState.Open(path);
            Contracts.StoreAssert.Same(workspace, await reopened.Keys.GetWorkspaceAsync(workspace.Id, default));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<string> Pragma(SqliteConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
