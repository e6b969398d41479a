using Npgsql;
using Switchyard.State.Postgres;

namespace Switchyard.State.Tests.Postgres;

public sealed class PostgresConnectionTests
{
    private static NpgsqlConnectionStringBuilder Convert(string text) => new(PostgresConnection.FromUrlOrConnectionString(text));

    [Fact]
    public void FromUrl_EveryPart_BecomesItsKeyword()
    {
        var built = Convert("postgres://switchyard:s3cret@db.internal:6543/gateway?sslmode=require&application_name=switchyard-1");

        Assert.Equal("switchyard", built.Username);
        Assert.Equal("s3cret", built.Password);
        Assert.Equal("db.internal", built.Host);
        Assert.Equal(6543, built.Port);
        Assert.Equal("gateway", built.Database);
        Assert.Equal(SslMode.Require, built.SslMode);
        Assert.Equal("switchyard-1", built.ApplicationName);
    }

    [Fact]
    public void FromUrl_PostgresqlSchemeWithoutPortOrUser_KeepsNpgsqlDefaults()
    {
        var built = Convert("POSTGRESQL://localhost/switchyard");

        Assert.Equal("localhost", built.Host);
        Assert.Equal(5432, built.Port);
        Assert.Equal("switchyard", built.Database);
        Assert.Null(built.Username);
        Assert.Null(built.Password);
    }

    [Fact]
    public void FromUrl_PercentEncodedParts_AreDecoded()
    {
        var built = Convert("postgres://app%40corp:p%40ss%3Aw%2Frd%23@host/my%20db");

        Assert.Equal("app@corp", built.Username);
        Assert.Equal("p@ss:w/rd#", built.Password);
        Assert.Equal("my db", built.Database);
    }

    [Fact]
    public void FromUrl_UnencodedAtInPassword_SplitsAtTheLastAt()
    {
        var built = Convert("postgres://user:p@ss@host:5433/db");

        Assert.Equal("user", built.Username);
        Assert.Equal("p@ss", built.Password);
        Assert.Equal("host", built.Host);
        Assert.Equal(5433, built.Port);
    }

    [Fact]
    public void FromUrl_UserWithoutPassword_SetsOnlyTheUser()
    {
        var built = Convert("postgres://reader@host/db");

        Assert.Equal("reader", built.Username);
        Assert.Null(built.Password);
    }

    [Fact]
    public void FromUrl_Ipv6Host_DropsTheBrackets()
    {
        var built = Convert("postgres://u@[::1]:6000/db");

        Assert.Equal("::1", built.Host);
        Assert.Equal(6000, built.Port);
    }

    [Fact]
    public void FromUrl_SeveralHosts_BecomeNpgsqlsHostList()
    {
        var built = Convert("postgres://u:p@primary:5432,standby:5433,[fd00::2]/db?target_session_attrs=primary");

        Assert.Equal("primary:5432,standby:5433,[fd00::2]", built.Host);
        Assert.Equal("primary", built.TargetSessionAttributes);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void FromUrl_Sslmode_MapsEachLibpqMode(string mode, SslMode expected)
    {
        Assert.Equal(expected, Convert($"postgres://h/db?sslmode={mode}").SslMode);
    }

    [Fact]
    public void FromUrl_LibpqParameters_MapToNpgsqlKeywords()
    {
        var built = Convert("postgres://h/db?connect_timeout=7&sslrootcert=%2Fetc%2Fca.pem&sslcert=c.pem&sslkey=k.pem&options=-c%20statement_timeout%3D5s");

        Assert.Equal(7, built.Timeout);
        Assert.Equal("/etc/ca.pem", built.RootCertificate);
        Assert.Equal("c.pem", built.SslCertificate);
        Assert.Equal("k.pem", built.SslKey);
        Assert.Equal("-c statement_timeout=5s", built.Options);
    }

    [Fact]
    public void FromUrl_ConnectionPartsAsParameters_AreAcceptedAsLibpqDoes()
    {
        var built = Convert("postgres:///?host=db&port=6000&dbname=gateway&user=app&password=pw&sslpassword=keypw");

        Assert.Equal("db", built.Host);
        Assert.Equal(6000, built.Port);
        Assert.Equal("gateway", built.Database);
        Assert.Equal("app", built.Username);
        Assert.Equal("pw", built.Password);
        Assert.Equal("keypw", built.SslPassword);
    }

    [Fact]
    public void FromUrl_NpgsqlKeywordAsParameter_IsAccepted()
    {
        Assert.Equal(7, Convert("postgres://h/db?Maximum%20Pool%20Size=7").MaxPoolSize);
    }

    [Fact]
    public void FromConnectionString_PassesThrough()
    {
        var built = Convert("Host=127.0.0.1;Port=55432;Username=postgres;Password=pw;Database=postgres");

        Assert.Equal("127.0.0.1", built.Host);
        Assert.Equal(55432, built.Port);
        Assert.Equal("postgres", built.Username);
        Assert.Equal("pw", built.Password);
        Assert.Equal("postgres", built.Database);
    }

    [Theory]
    [InlineData("postgres://u:hunter2@h/db?no_such_parameter=1", "no_such_parameter")]
    [InlineData("postgres://u:hunter2@h/db?sslmode=always", "sslmode")]
    [InlineData("postgres://u:hunter2@h:99999/db", "port")]
    [InlineData("postgres://u:hunter2@h:abc/db", "port")]
    [InlineData("postgres://u:hunter2@h/db?connect_timeout=soon", "connect_timeout")]
    [InlineData("postgres://u:hunter2@h/d%zzb", "percent-encoding")]
    [InlineData("postgres://u:hunter2@[::1/db", "IPv6")]
    [InlineData("postgres://u:hunter2@h/db?sslmode", "name=value")]
    [InlineData("Host=h;Password=hunter2;Bogus Keyword=1", "not valid")]
    public void FromUrlOrConnectionString_Invalid_ThrowsNamingTheProblemButNotThePassword(string text, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresConnection.FromUrlOrConnectionString(text));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void FromUrlOrConnectionString_Blank_Throws(string text)
    {
        Assert.Throws<ArgumentException>(() => PostgresConnection.FromUrlOrConnectionString(text));
    }
}
