using Storefront.Api.Data;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

/// <summary>What registration uses to greet a new user: the welcome mail is staged in the same unit of work.</summary>
public interface IWelcomeMail
{
    /// <summary>Stages the welcome mail in <paramref name="db"/>; the caller's SaveChanges stores it with the user.</summary>
    void Stage(StorefrontDbContext db, string username, string email);
}

internal sealed class WelcomeMail(IJobQueue jobs) : IWelcomeMail
{
    // No owner: the user's id does not exist before this SaveChanges, and /register does not hand out the job's id.
    public void Stage(StorefrontDbContext db, string username, string email) =>
        jobs.Add(db, WelcomeEmailHandler.JobKind, new WelcomeEmailPayload(username, email), EmailJsonContext.Default.WelcomeEmailPayload,
            ownerId: null);
}
