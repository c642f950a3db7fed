using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Jobs;

/// <summary>The job tables on the shared context.</summary>
public static class JobTables
{
    extension(StorefrontDbContext db)
    {
        public DbSet<Job> Jobs => db.Set<Job>();
        public DbSet<JobEffect> JobEffects => db.Set<JobEffect>();
    }
}
