namespace Switchyard.State.Tests.Contracts;

/// <summary>A fresh, empty, migrated store of one backend (an SQLite file, or a new PostgreSQL database) for one test class.</summary>
public interface IStoreBackend : IAsyncDisposable
{
    IKeyStore Keys { get; }

    IConfigStore Configs { get; }

    IStateMigrator Migrator { get; }
}
