using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Tests.Data;

/// <summary>
/// Every mapped property has its column in the schema the migrations create, on both stores. The mappings name columns
/// by one rule (snake_case); fails when a property's name and its column part ways, before a query does.
/// </summary>
public abstract class MappingTests(StorefrontFactory factory)
{
    [Fact]
    public async Task Every_mapped_column_exists_in_the_migrated_schema()
    {
        using (factory.CreateClient()) { } // Starts the service, which migrates.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        var missing = new List<string>();
        var entities = db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null).ToList();
        Assert.NotEmpty(entities);
        foreach (var entity in entities)
        {
            var table = entity.GetTableName()!;
            var columns = await ColumnsAsync(connection, table);
            Assert.True(columns.Count > 0, $"no table {table}");
            missing.AddRange(entity.GetProperties().Select(p => p.GetColumnName()).Where(c => !columns.Contains(c)).Select(c => $"{table}.{c}"));
        }
        Assert.Empty(missing);
    }

    private protected abstract string ColumnsSql { get; }

    private async Task<HashSet<string>> ColumnsAsync(DbConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = ColumnsSql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "table";
        parameter.Value = table;
        command.Parameters.Add(parameter);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        return columns;
    }
}

[ServerFree]
public sealed class SqliteMappingTests(SqliteStorefrontFactory factory) : MappingTests(factory), IClassFixture<SqliteStorefrontFactory>
{
    private protected override string ColumnsSql => "SELECT name FROM pragma_table_info(@table)";
}

public sealed class PostgresMappingTests(PostgresStorefrontFactory factory) : MappingTests(factory), IClassFixture<PostgresStorefrontFactory>
{
    private protected override string ColumnsSql =>
        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table";
}
