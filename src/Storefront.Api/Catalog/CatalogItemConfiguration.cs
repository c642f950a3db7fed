using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storefront.Api.Catalog;

internal sealed class CatalogItemConfiguration : IEntityTypeConfiguration<CatalogItem>
{
    public void Configure(EntityTypeBuilder<CatalogItem> item)
    {
        item.ToTable("items");
        item.HasKey(i => i.Id);
        item.Property(i => i.Id).ValueGeneratedOnAdd();
        item.Property(i => i.Name).HasMaxLength(CatalogItem.NameMaxLength);
        item.Property(i => i.Price).HasPrecision(12, 2);
        item.Property(i => i.Description).HasMaxLength(CatalogItem.DescriptionMaxLength);
    }
}
