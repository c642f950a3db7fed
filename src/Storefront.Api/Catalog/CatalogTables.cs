using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Catalog;

/// <summary>The catalog's tables on the shared context.</summary>
public static class CatalogTables
{
    extension(StorefrontDbContext db)
    {
        public DbSet<CatalogItem> Items => db.Set<CatalogItem>();
    }
}
