using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Storefront.Api.Accounts;

/// <summary>
/// ASP.NET Core Identity's PBKDF2 hasher (salted, 100,000 rounds of HMAC-SHA512), with at most
/// HashConcurrency hashes at once so a burst of logins cannot take every thread-pool thread.
/// Unknown users are checked against a dummy hash, so they cost the same time as a wrong password.
/// </summary>
public sealed class PasswordHashing : IAsyncDisposable
{
    private readonly PasswordHasher<User> _hasher = new();
    private readonly ConcurrencyLimiter _limiter;
    private readonly string _dummyHash;

    public PasswordHashing(IOptions<RateLimitsOptions> options)
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.HashConcurrency,
            QueueLimit = options.Value.HashConcurrency * 64,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _dummyHash = _hasher.HashPassword(null!, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
    }

    public async Task<string?> HashAsync(string password, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(1, cancellationToken);
        return lease.IsAcquired ? _hasher.HashPassword(null!, password) : null;
    }

    /// <returns>null when too many hashes are queued (the caller answers 503).</returns>
    public async Task<PasswordVerificationResult?> VerifyAsync(User? user, string password, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired) return null;
        var result = _hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? _dummyHash, password);
        return user is null ? PasswordVerificationResult.Failed : result;
    }

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
