using System.Security.Claims;

namespace Storefront.Api.Data;

/// <summary>
/// How fresh a read must be. Writes, and reads whose caller may have just written (anyone signed in: staff editing
/// the catalog, a customer looking at the stock their order took), read the primary. Anonymous catalog reads (item
/// pages, search, one item) tolerate a bounded staleness and may read the standby: nobody expects them to show a
/// write of their own, and they are most of the traffic.
/// </summary>
public enum ReadFreshness
{
    Latest,
    BoundedStaleness,
}

public static class ReadFreshnessRules
{
    public static ReadFreshness For(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? ReadFreshness.Latest : ReadFreshness.BoundedStaleness;
}
