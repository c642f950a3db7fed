using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Storefront.Api.Data;

/// <summary>
/// The service's tables. Each feature maps its own entities (an <c>IEntityTypeConfiguration</c> in its folder) and
/// names its tables on this context with extension properties (<c>db.Items</c> in Catalog/), so Data knows no feature;
/// the schema itself is owned by the versioned SQL in Data/Migrations, which the mappings must agree with
/// (the store tests run every migration on both providers). Its columns are the properties' names in snake_case unless a
/// configuration names the column.
/// </summary>
public sealed class StorefrontDbContext(DbContextOptions<StorefrontDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(StorefrontDbContext).Assembly);
        // A column a configuration names itself keeps its name.
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
            if (property.FindAnnotation(Microsoft.EntityFrameworkCore.Metadata.RelationalAnnotationNames.ColumnName) is null)
                property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
    }
}
