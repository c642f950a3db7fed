namespace Storefront.Tests.Replication;

/// <summary>The service on a primary and a standby of its own (<see cref="ReplicatedPostgres"/>), both in one connection string.</summary>
public sealed class ReplicatedStorefrontFactory : StorefrontFactory
{
    internal ReplicatedStorefrontFactory(ReplicatedPostgres servers)
    {
        With("ConnectionStrings:Postgres", servers.ConnectionString);
        // The probe is cheap; a short interval keeps the waits in these tests short.
        With("Database:LagProbeIntervalMs", "200");
    }

    /// <summary>A primary and a standby with the schema applied through the service's own migrate step.</summary>
    internal static async Task<ReplicatedPostgres> StartServersAsync()
    {
        var servers = await ReplicatedPostgres.StartAsync();
        await Migrations.MigrateAsync(servers.ConnectionString + ";Target Session Attributes=primary");
        return servers;
    }
}
