using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Storefront.Api.Compute;
using Storefront.Api.Data;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Accounts;

/// <summary>
/// Password hashes (ASP.NET Core Identity's PBKDF2: salted, 100,000 rounds of HMAC-SHA512, tens of milliseconds of
/// CPU each) computed on the "passwords" CPU runner's dedicated threads, never on the thread pool that serves
/// requests: a burst of logins then queues behind those threads (503 once the bounded queue is full, or the
/// deadline passed) instead of taking every pool thread and stalling every other request.
/// Unknown users are checked against a dummy hash on the same threads, so they cost the same time as a wrong password.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    private readonly IPasswordHasher<User> _hasher;
    private readonly TimeSpan _deadline;
    private Task<HashOutcome?>? _dummy;

    public PasswordHashing(IPasswordHasher<User> hasher, IOptions<PasswordHashingOptions> options, IOptions<RateLimitsOptions> rateLimits)
    {
        var o = options.Value;
        _hasher = hasher;
        _deadline = TimeSpan.FromMilliseconds(o.DeadlineMs);
        var threads = o.Threads > 0 ? o.Threads : rateLimits.Value.HashConcurrency ?? Environment.ProcessorCount;
        Runner = new CpuWorkRunner<HashWork, HashOutcome>("passwords", threads, o.QueueCapacity, maxBatch: 1, Compute);
    }

    public CpuWorkRunner<HashWork, HashOutcome> Runner { get; }

    /// <summary>
    /// No hash can be queued now. A login or registration checks this before its database work: under a burst the
    /// refusals are then cheap (the same 503 for every username), and the request threads stay free for everything else.
    /// </summary>
    public bool IsSaturated => Runner.IsFull;

    /// <returns>The hash, or null when hashing is saturated (the caller answers 503).</returns>
    public async Task<string?> HashAsync(string password, CancellationToken cancellationToken) =>
        (await RunAsync(new HashWork(password, null, null), cancellationToken))?.Hash;

    /// <returns>null when hashing is saturated (the caller answers 503).</returns>
    public async Task<PasswordVerificationResult?> VerifyAsync(User? user, string password, CancellationToken cancellationToken)
    {
        if ((user?.PasswordHash ?? await DummyHashAsync(cancellationToken)) is not { } stored) return null;
        if (await RunAsync(new HashWork(password, stored, user), cancellationToken) is not { } outcome) return null;
        return user is null ? PasswordVerificationResult.Failed : outcome.Verification;
    }

    public void Dispose() => Runner.Dispose();

    /// <summary>
    /// What unknown users are checked against: made by the same hasher with the same settings, so checking against it
    /// costs what checking a real hash does, and on a runner thread like every hash. Made on first need, so a host that
    /// never signs anyone in never pays for it; an attempt refused by a full queue is tried again by the next caller.
    /// </summary>
    private async Task<string?> DummyHashAsync(CancellationToken cancellationToken)
    {
        var dummy = Volatile.Read(ref _dummy);
        if (dummy is null || (dummy.IsCompletedSuccessfully && dummy.Result is null))
        {
            var fresh = RunAsync(new HashWork(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), null, null), CancellationToken.None);
            dummy = Interlocked.CompareExchange(ref _dummy, fresh, dummy) == dummy ? fresh : Volatile.Read(ref _dummy)!;
        }
        return (await dummy.WaitAsync(cancellationToken))?.Hash;
    }

    private async Task<HashOutcome?> RunAsync(HashWork work, CancellationToken cancellationToken)
    {
        try
        {
            return await Runner.RunAsync(work, _deadline, cancellationToken);
        }
        catch (Exception ex) when (ex is CpuSaturatedException or TimeoutException)
        {
            return null;
        }
    }

    // On a runner thread. The user is only passed through: Identity's hasher ignores it, another hasher may not.
    private void Compute(ReadOnlySpan<HashWork> work, Span<HashOutcome> outcomes)
    {
        for (var i = 0; i < work.Length; i++)
        {
            var (password, stored, user) = work[i];
            outcomes[i] = stored is null
                ? new HashOutcome(_hasher.HashPassword(user!, password), PasswordVerificationResult.Failed)
                : new HashOutcome(null, _hasher.VerifyHashedPassword(user!, stored, password));
        }
    }
}

/// <summary>Hash <see cref="Password"/>, or, with <see cref="StoredHash"/>, check it against that hash.</summary>
public readonly record struct HashWork(string Password, string? StoredHash, User? User);

public readonly record struct HashOutcome(string? Hash, PasswordVerificationResult Verification);
