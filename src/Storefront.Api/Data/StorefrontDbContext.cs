using Microsoft.EntityFrameworkCore;
using Storefront.Api.Catalog;

namespace Storefront.Api.Data;

/// <summary>
/// The service's tables. The schema itself is owned by the versioned SQL in Data/Migrations; this mapping
/// must agree with it (the migration tests check both providers).
/// </summary>
public sealed class StorefrontDbContext(DbContextOptions<StorefrontDbContext> options) : DbContext(options)
{
    public DbSet<CatalogItem> Items => Set<CatalogItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CatalogItem>(item =>
        {
            item.ToTable("items");
            item.HasKey(i => i.Id);
            item.Property(i => i.Id).HasColumnName("id").ValueGeneratedOnAdd();
            item.Property(i => i.Name).HasColumnName("name").HasMaxLength(CatalogItem.NameMaxLength);
            item.Property(i => i.Price).HasColumnName("price").HasPrecision(12, 2);
            item.Property(i => i.Description).HasColumnName("description").HasMaxLength(CatalogItem.DescriptionMaxLength);
        });
    }
}
