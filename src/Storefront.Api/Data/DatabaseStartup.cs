namespace Storefront.Api.Data;

/// <summary>
/// At startup: migrate and seed the embedded store; for PostgreSQL only check that the schema is current,
/// so a forgotten <c>migrate</c> step fails loudly at boot instead of at the first query.
/// </summary>
internal sealed partial class DatabaseStartup(
    DatabaseProvider provider, DatabaseMigrator migrator, IEnumerable<ISampleData> samples,
    IOptions<DatabaseOptions> options, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AutoMigrate ?? provider.IsEmbedded)
        {
            var result = await migrator.MigrateAsync(cancellationToken);
            if (result.CreatedSchema && provider.IsEmbedded && options.Value.SeedOnCreate)
            {
                foreach (var sample in samples) LogSeeded(logger, await sample.SeedAsync(cancellationToken), sample.Name);
            }
            return;
        }

        var status = await migrator.GetStatusAsync(cancellationToken);
        if (status.Pending.Count > 0)
            throw new InvalidOperationException(
                $"The {provider.Kind} database is at schema version {status.CurrentVersion} but this build needs " +
                $"{status.LatestVersion}. Run the migrate command first: dotnet Storefront.Api.dll migrate " +
                "(or dotnet run --project src/Storefront.Api -- migrate).");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the embedded database and added {Count} {Samples}")]
    private static partial void LogSeeded(ILogger logger, int count, string samples);
}
