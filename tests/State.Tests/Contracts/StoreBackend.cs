namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// A fresh, empty, migrated store of one backend (an SQLite file, or a new PostgreSQL database). A backend's test
/// fixture (<see cref="IAsyncLifetime"/>) opens one per test class, so contract tests share it and must use unique
/// ids and slugs (<see cref="StoreSamples.Unique"/>) and never assume a list holds only their own records.
/// </summary>
public interface IStoreBackend : IAsyncDisposable
{
    IKeyStore Keys { get; }

    IConfigStore Configs { get; }

    IStateMigrator Migrator { get; }

    IAuditLog Audit { get; }

    IRequestLogStore Logs { get; }
}
