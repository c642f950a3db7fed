using Microsoft.EntityFrameworkCore;
using Storefront.Api.Catalog;
using Storefront.Api.Jobs;
using Storefront.Api.Users;

namespace Storefront.Api.Data;

/// <summary>
/// The service's tables. Each feature maps its own entities (an <c>IEntityTypeConfiguration</c> in its folder);
/// the schema itself is owned by the versioned SQL in Data/Migrations, which the mappings must agree with
/// (the store tests run every migration on both providers).
/// </summary>
public sealed class StorefrontDbContext(DbContextOptions<StorefrontDbContext> options) : DbContext(options)
{
    public DbSet<CatalogItem> Items => Set<CatalogItem>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<JobEffect> JobEffects => Set<JobEffect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(StorefrontDbContext).Assembly);
}
