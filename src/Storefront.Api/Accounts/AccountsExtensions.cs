using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Storefront.Api.Compute;
using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Accounts;

public static class AccountsExtensions
{
    public const string LoginPolicy = "login";
    public const string RegisterPolicy = "register";
    public const string RecoveryPolicy = "recovery";

    /// <summary>An authenticated user holding the <c>admin</c> role (user_roles), in every environment.</summary>
    public const string AdminPolicy = "admin";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<JwtOptions>(JwtOptions.Section);
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddValidatedOptions<RolesOptions>(RolesOptions.Section);
        services.AddSingleton<UserRoles>();
        services.AddSingleton<IAuthorizationHandler, RoleHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenAnswers>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => Roles.RequireRole(policy, Roles.Admin))
            .AddPolicy(Roles.CatalogPolicy, policy => Roles.RequireRole(policy, Roles.Catalog, Roles.Admin));
        services.AddValidatedOptions<PasswordRecoveryOptions>(PasswordRecoveryOptions.Section);
        services.AddRateLimits();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<SigningKey>();
        services.AddSingleton<TokenIssuer>();
        services.AddValidatedOptions<PasswordHashingOptions>(PasswordHashingOptions.Section);
        services.TryAddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<PasswordHashing>();
        services.AddCpuRunnerMetrics<PasswordHashing>(passwords => passwords.Runner);
        services.AddJsonTypes(AccountsJsonContext.Default);

        services.AddSingleton<ActiveUsers>();
        services.AddSingleton<BearerTokenEvents>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKey, IOptions<JwtOptions>>((bearer, key, jwt) =>
            {
                bearer.MapInboundClaims = false; // Keep "sub" as "sub".
                bearer.IncludeErrorDetails = false; // A refused token is "invalid_token", never why (BearerTokenEvents).
                bearer.EventsType = typeof(BearerTokenEvents); // Also: the subject must be a current user.
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
                    IssuerSigningKeys = key.ValidationKeys,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    RequireExpirationTime = true,
                };
            });
        services.AddAuthorization();
        WithoutKeyRingAtStartup(services);

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(LoginPolicy, context => PerClient(context, LoginPolicy, o => o.LoginPermits));
            limiter.AddPolicy(RegisterPolicy, context => PerClient(context, RegisterPolicy, o => o.RegisterPermits));
            limiter.AddPolicy(RecoveryPolicy, context => PerClient(context, RecoveryPolicy, o => o.RecoveryPermits));
        });
        return builder;
    }

    /// <summary>The framework's hosted service that reads data protection's key ring when the host starts.</summary>
    internal const string KeyRingPreload = "DataProtectionHostedService";

    /// <summary>
    /// Authentication registers data protection, whose hosted service reads (or first writes) the XML key ring when the
    /// host starts, so that the first protected cookie is fast. Nothing here protects data (bearer tokens are signed with
    /// <see cref="SigningKey"/>): left to start, it only kept the XML stack and the key ring in every idle process's
    /// memory (docs/benchmarks-notes.md). Data protection itself stays registered and reads its keys on first use.
    /// </summary>
    private static void WithoutKeyRingAtStartup(IServiceCollection services)
    {
        foreach (var preload in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == KeyRingPreload).ToList())
            services.Remove(preload);
    }

    // The key UseAuthentication sets and WebApplication checks before adding the middleware itself.
    private const string AuthenticationMiddlewareSet = "__AuthenticationMiddlewareSet";

    /// <summary>
    /// Authentication for the requests that carry credentials only: the rest are anonymous anyway, and a protected
    /// endpoint answers them 401 through the authorization middleware's challenge.
    /// </summary>
    public static WebApplication UseAuthenticationWhenPresented(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Authorization),
            authenticated => authenticated.UseAuthentication());
        // UseAuthentication marks only the branch's copy of the properties. Unmarked, WebApplication adds its own
        // authentication middleware in front of everything, and every anonymous request paid for it again.
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSet] = true;
        return app;
    }

    // The key UseAuthorization sets and WebApplication checks before adding the middleware itself.
    private const string AuthorizationMiddlewareSet = "__AuthorizationMiddlewareSet";

    /// <summary>
    /// Authorization for the endpoints that have rules only (with no fallback policy, the middleware lets every other
    /// request through untouched). Skipped, it holds nothing for the life of an open request: its async frame and the
    /// request's Items dictionary, ~380 bytes of each of ten thousand waiting /slow requests (docs/benchmarks-notes.md).
    /// </summary>
    public static WebApplication UseAuthorizationWhereRequired(this WebApplication app)
    {
        var everyRequest = app.Services.GetRequiredService<IOptions<AuthorizationOptions>>().Value.FallbackPolicy is not null;
        app.UseWhen(context => everyRequest || HasRules(context.GetEndpoint()), authorized => authorized.UseAuthorization());
        // As for authentication above: the branch marks only its copy of the properties.
        ((IApplicationBuilder)app).Properties[AuthorizationMiddlewareSet] = true;
        return app;
    }

    // What AuthorizationPolicy.CombineAsync reads from an endpoint: without any of it there is no policy to apply.
    private static bool HasRules(Endpoint? endpoint) => endpoint?.Metadata is { } metadata
        && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null
            || metadata.GetMetadata<IAuthorizationRequirementData>() is not null);

    // Per client address (IPv6 by /64). Behind a reverse proxy, Proxy__TrustedProxies makes this the real client
    // (HttpConventions). With Redis the window is shared by every instance; without it each instance counts its own.
    private static RateLimitPartition<string> PerClient(HttpContext context, string policy, Func<RateLimitsOptions, int> permits) =>
        SharedLimits.PerClient(context, policy, permits);
}
