using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;
using Storefront.Api.Http;

namespace Storefront.Api.Accounts;

/// <summary>Registration, OAuth2 password-flow login, and the signed-in user's views.</summary>
public static class AccountEndpoints
{
    private const string BadCredentials = "Incorrect username or password.";
    private const string BusyHashing = "Too many sign-ins are being processed; try again shortly.";

    public static RouteGroupBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Accounts").WithValidation().WithRequestDeadline();
        group.MapPost("/register", Register).RequireRateLimiting(AccountsExtensions.RegisterPolicy)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create an account; a welcome email is queued in the same transaction. A taken username is 409; " +
                "a taken email is answered like a success and its owner is mailed instead");
        // The framework reads the form: its limits and malformed bodies reach ApiExceptionHandler as 400/413/415.
        group.MapPost("/token", IssueToken).RequireRateLimiting(AccountsExtensions.LoginPolicy).DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status401Unauthorized).AddOpenApiOperationTransformer(TokenForm.Describe)
            .WithSummary("OAuth2 password flow: form fields username and password");
        group.MapGet("/users/me", Me).RequireAuthorization().WithSummary("The signed-in user");
        group.MapGet("/users", List).RequireAuthorization(AccountsExtensions.AdminPolicy).WithSummary("Users, without emails (admins only)");
        group.MapAccountLifecycle();
        return group;
    }

    private static async Task<Results<Created<RegisterResponse>, ProblemHttpResult, ValidationProblem>> Register(
        RegisterRequest request, HttpContext context, StorefrontDbContext db, PasswordHashing passwords, IWelcomeMail welcome,
        IAccountMail accountMail, DatabaseProvider provider, TimeProvider clock, CancellationToken cancellationToken)
    {
        var username = request.Username!;
        var email = request.Email!.Trim();
        var normalizedUsername = User.Normalize(username);
        var normalizedEmail = User.Normalize(email);
        if (passwords.IsSaturated) return Problems.TooBusy(context, BusyHashing);
        var taken = await TakenAsync(db, normalizedUsername, normalizedEmail, cancellationToken);
        if (taken == "username") return UsernameTaken();

        // Hashed even for a taken email: that answer then takes the time a registration takes.
        if (await passwords.HashAsync(request.Password!, cancellationToken) is not { } hash)
            return Problems.TooBusy(context, BusyHashing);
        if (taken == "email") return await EmailTakenAsync(db, accountMail, provider, email, cancellationToken);

        var user = new User
        {
            Username = username,
            NormalizedUsername = normalizedUsername,
            Email = email,
            NormalizedEmail = normalizedEmail,
            PasswordHash = hash,
            CreatedAt = clock.GetUtcNow(),
        };
        // One SaveChanges (one transaction) for the user and the job that welcomes them: a 201 means both are stored.
        db.Users.Add(user);
        welcome.Stage(db, user.Username, user.Email);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            // Lost a race with a concurrent registration of the same name or address: neither row was stored. An
            // expected outcome, answered like the check above; anything else is a real error and propagates.
            db.ChangeTracker.Clear();
            return await TakenAsync(db, normalizedUsername, normalizedEmail, cancellationToken) switch
            {
                "username" => UsernameTaken(),
                "email" => await EmailTakenAsync(db, accountMail, provider, email, cancellationToken),
                _ => throw new InvalidOperationException("A unique index refused the registration, but no user holds its name or address."),
            };
        }
        return Registered(user.Id);
    }

    /// <summary>
    /// A taken email is answered as a registration is (201 with a fresh id, after a hash), so the answer does not tell
    /// whoever asked that the address has an account; the address's owner is mailed instead (a durable job). The id is
    /// drawn from the same sequence real users' ids come from, so it looks like theirs, and nobody is ever given it.
    /// </summary>
    private static async Task<Created<RegisterResponse>> EmailTakenAsync(
        StorefrontDbContext db, IAccountMail accountMail, DatabaseProvider provider, string email, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var id = (await db.Database.SqlQueryRaw<int>(provider.Kind == DatabaseKind.Postgres
            ? "SELECT CAST(nextval(pg_get_serial_sequence('users', 'id')) AS integer) AS \"Value\""
            : "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'users' RETURNING seq AS \"Value\"")
            .ToListAsync(cancellationToken)).Single();
        accountMail.StageAlreadyRegistered(db, email);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Registered(id);
    }

    private static Created<RegisterResponse> Registered(int id) =>
        TypedResults.Created((string?)null, new RegisterResponse("User registered", id));

    private static async Task<Results<JsonOk<TokenResponse>, ProblemHttpResult, ValidationProblem>> IssueToken(
        [FromForm] string? username, [FromForm] string? password, HttpContext context, StorefrontDbContext db, PasswordHashing passwords,
        TokenIssuer tokens, LoginThrottle throttle, CancellationToken cancellationToken)
    {
        // A full hashing queue answers before the database is asked (the form is already bound by then).
        if (passwords.IsSaturated) return Problems.TooBusy(context, BusyHashing);
        // The urlencoded form reader refuses NUL but the multipart one does not, and PostgreSQL cannot even look it up.
        if (ValidationErrors.HasNul(username)) return Problems.Invalid("username", ValidationErrors.NulMessage);
        if (ValidationErrors.HasNul(password)) return Problems.Invalid("password", ValidationErrors.NulMessage);
        // A name or password this long or empty cannot be an account's.
        if (username is null or { Length: 0 or > 254 } || password is null or { Length: 0 or > PasswordRules.MaxLength })
            return Unauthorized(context);

        var normalized = User.Normalize(username);
        // Before the name is looked up: the answer is the same whether or not it is anyone's.
        if (await throttle.RetryAfterAsync(normalized, cancellationToken) is { } wait) return Throttled(context, wait);
        var user = await db.Users.AsTracking().FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
        // Unknown users are checked against a dummy hash: the same answer in about the same time.
        var result = await passwords.VerifyAsync(user, password, cancellationToken);
        if (result is null) return Problems.TooBusy(context, BusyHashing);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            await throttle.FailedAsync(normalized, cancellationToken);
            return Unauthorized(context);
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded && await passwords.HashAsync(password, cancellationToken) is { } upgraded)
        {
            user.PasswordHash = upgraded;
            await db.SaveChangesAsync(cancellationToken);
        }
        return JsonOk.Of(tokens.Issue(user));
    }

    private static async Task<Results<JsonOk<UserResponse>, ProblemHttpResult>> Me(
        HttpContext context, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        var id = CurrentUser.Id(context.User);
        var user = await db.Users.Where(u => u.Id == id)
            .Select(u => new UserResponse(u.Id, u.Username, u.Email, u.CreatedAt))
            .FirstOrDefaultAsync(cancellationToken);
        // A valid token for a user that no longer exists is no longer valid.
        return user is null ? Unauthorized(context) : JsonOk.Of(user);
    }

    private static async Task<JsonOk<UserListResponse>> List(
        [AsParameters] PageQuery query, StorefrontDbContext db, CancellationToken cancellationToken)
    {
        var total = await db.Users.CountAsync(cancellationToken);
        var users = await db.Users.OrderBy(u => u.Id).Skip(query.Skip).Take(query.Limit)
            .Select(u => new UserSummary(u.Id, u.Username, u.CreatedAt))
            .ToListAsync(cancellationToken);
        return JsonOk.Of(new UserListResponse(users, total));
    }

    /// <returns>"username" or "email", whichever an existing user holds (the name first), or null.</returns>
    private static async Task<string?> TakenAsync(
        StorefrontDbContext db, string normalizedUsername, string normalizedEmail, CancellationToken cancellationToken)
    {
        var taken = await db.Users
            .Where(u => u.NormalizedUsername == normalizedUsername || u.NormalizedEmail == normalizedEmail)
            .Select(u => u.NormalizedUsername)
            .ToListAsync(cancellationToken);
        if (taken.Count == 0) return null;
        return taken.Contains(normalizedUsername) ? "username" : "email";
    }

    // A username is public (it is what others see and what one signs in with), so saying it is taken reveals nothing.
    private static ProblemHttpResult UsernameTaken() =>
        TypedResults.Problem("That username is already registered.", statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["field"] = "username" });

    private static ProblemHttpResult Throttled(HttpContext context, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem($"Too many failed sign-ins for this username; try again in {retryAfterSeconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests);
    }

    private static ProblemHttpResult Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(BadCredentials, statusCode: StatusCodes.Status401Unauthorized);
    }
}
