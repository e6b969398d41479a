using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Postgres;

// The shared store contracts, run against a PostgreSQL database per class.

public sealed class PostgresKeyStoreContractTests(PostgresBackend backend) : KeyStoreContract, IClassFixture<PostgresBackend>
{
    protected override IStoreBackend Backend => backend;
}

public sealed class PostgresConfigStoreContractTests(PostgresBackend backend) : ConfigStoreContract, IClassFixture<PostgresBackend>
{
    protected override IStoreBackend Backend => backend;
}

public sealed class PostgresMigratorContractTests(PostgresBackend backend) : MigratorContract, IClassFixture<PostgresBackend>
{
    protected override IStoreBackend Backend => backend;

    protected override async Task<IStoreBackend> OpenEmptyBackendAsync() => await PostgresBackend.OpenEmptyAsync();
}

public sealed class PostgresAuditLogContractTests(PostgresBackend backend) : AuditLogContract, IClassFixture<PostgresBackend>
{
    protected override IStoreBackend Backend => backend;
}
