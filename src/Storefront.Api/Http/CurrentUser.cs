using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Storefront.Api.Http;

public static class CurrentUser
{
    /// <summary>The authenticated user's id from the token's subject, or null.</summary>
    public static int? Id(ClaimsPrincipal principal) =>
        int.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
}
