using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Storefront.Api.Data;

public static class DataExtensions
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Resolved lazily so test hosts and the command line can change the configuration before first use.
        services.AddSingleton(sp => DatabaseProvider.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        // PostgreSQL only: one pool per server, shared by EF Core (the primary) and the few raw reads (the primary, or the
        // standby for reads that tolerate a bounded staleness). The lag probe runs only with a standby.
        services.AddSingleton<ReplicationLag>();
        services.AddSingleton<PostgresSources>();
        services.AddSingleton(sp => sp.GetRequiredService<PostgresSources>().Primary);
        services.AddHostedService<ReplicationLagProbe>();
        services.AddDbContextPool<StorefrontDbContext>((sp, options) =>
        {
            var provider = sp.GetRequiredService<DatabaseProvider>();
            if (provider.Kind == DatabaseKind.Postgres)
                options.UseNpgsql(sp.GetRequiredService<Npgsql.NpgsqlDataSource>());
            else
                options.UseSqlite(provider.ConnectionString);
            options.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
            // EF Core logs every failed command at Error with its SQL, and SaveChanges failures again. Some failures are
            // expected answers (a unique index refusing a second registration of one name is a 409), and SQL does not
            // belong in an operator's log. Every failure still surfaces as an exception: callers that expect it answer
            // it; the rest reach ApiExceptionHandler (request paths) or the job worker's own log lines.
            options.ConfigureWarnings(warnings => warnings.Log(
                (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError, LogLevel.Debug),
                (Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.SaveChangesFailed, LogLevel.Debug)));
            // One context per request, never shared across threads: the per-call concurrency check is pure overhead.
            options.EnableThreadSafetyChecks(false);
        });
        // A span per database command and Npgsql's pool figures, when telemetry is on (Diagnostics/Telemetry).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNpgsql());
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddNpgsqlInstrumentation());
        services.AddSingleton(sp => new RedisConnection(sp.GetRequiredService<IConfiguration>().GetConnectionString("Redis")));
        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<SqliteWriteGate>();
        services.AddHostedService<DatabaseStartup>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }
}

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
