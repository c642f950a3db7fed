using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Storefront.Api.Http;

namespace Storefront.Api.Data;

public static class DataExtensions
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Section);
        services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section);
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
