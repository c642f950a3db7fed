using Microsoft.Extensions.Configuration;
using Npgsql;
using Storefront.Api.Data;

namespace Storefront.Tests.Replication;

/// <summary>What the service adds to a PostgreSQL connection string it is given, with one server and with several.</summary>
[ServerFree]
public sealed class ConnectionDefaultsTests
{
    [Fact]
    public void One_server_keeps_its_string_but_for_auto_prepare()
    {
        var built = Built("Host=db;Database=storefront;Username=app;Password=x");
        Assert.Equal(32, built.MaxAutoPrepare);
        Assert.Null(built.TargetSessionAttributes);
        Assert.Null(built.Options);
    }

    [Fact]
    public void Several_servers_write_to_the_primary_recheck_roles_often_and_wait_for_the_synchronous_standby()
    {
        var built = Built("Host=pg-a:5432,pg-b:5432;Database=storefront;Username=app;Password=x");
        Assert.Equal("primary", built.TargetSessionAttributes);
        Assert.Equal(2, built.HostRecheckSeconds);
        Assert.Equal("-c synchronous_commit=on", built.Options);
    }

    [Fact]
    public void What_the_operator_chose_wins()
    {
        var built = Built("Host=pg-a,pg-b;Target Session Attributes=prefer-primary;Host Recheck Seconds=7;Options=-c work_mem=8MB",
            ("Database:SynchronousCommit", "local"));
        Assert.Equal("prefer-primary", built.TargetSessionAttributes);
        Assert.Equal(7, built.HostRecheckSeconds);
        Assert.Equal("-c work_mem=8MB -c synchronous_commit=local", built.Options);
        Assert.Throws<InvalidOperationException>(() => Built("Host=pg-a,pg-b", ("Database:SynchronousCommit", "on -c fsync=off")));
    }

    private static NpgsqlConnectionStringBuilder Built(string connectionString, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            settings.Select(s => KeyValuePair.Create<string, string?>(s.Key, s.Value))
                .Append(KeyValuePair.Create<string, string?>("ConnectionStrings:Postgres", connectionString))).Build();
        return new NpgsqlConnectionStringBuilder(DatabaseProvider.FromConfiguration(configuration).ConnectionString);
    }
}
