using Microsoft.Extensions.Logging.Abstractions;
using Storefront.Api.Data;

namespace Storefront.Tests.Infrastructure;

internal static class Migrations
{
    public static Task<MigrationResult> MigrateAsync(string postgresConnectionString) =>
        new DatabaseMigrator(new DatabaseProvider(DatabaseKind.Postgres, postgresConnectionString), NullLogger<DatabaseMigrator>.Instance)
            .MigrateAsync(CancellationToken.None);
}
