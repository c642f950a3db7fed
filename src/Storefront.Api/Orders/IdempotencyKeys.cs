using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Orders;

/// <summary>What a key already holds: the request it was first used with and, once that committed, its answer.</summary>
internal sealed class StoredKey
{
    public required string RequestHash { get; init; }
    public int? StatusCode { get; init; }
    public string? Response { get; init; }
}

/// <summary>
/// The Idempotency-Key rows of POST /orders (the idempotency_keys table), always used inside the ordering transaction: the claim
/// comes first, so a concurrent request with the same key waits on the row's primary key (PostgreSQL) or on the single
/// writer (SQLite) until the first commits, then finds its answer. A key older than the retention is claimed afresh.
/// </summary>
internal static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>True when this request now owns the key; false when another request used it within the retention.</summary>
    public static async Task<bool> ClaimAsync(StorefrontDbContext db, int userId, string key, string requestHash, long nowMs, long cutoffMs,
        CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO idempotency_keys (user_id, key, request_hash, created_at_ms) VALUES ({userId}, {key}, {requestHash}, {nowMs})
            ON CONFLICT (user_id, key) DO UPDATE
            SET request_hash = excluded.request_hash, status_code = NULL, response = NULL, created_at_ms = excluded.created_at_ms
            WHERE idempotency_keys.created_at_ms < {cutoffMs}
            """, cancellationToken) == 1;

    public static async Task<StoredKey?> FindAsync(StorefrontDbContext db, int userId, string key, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<StoredKey>($"""
            SELECT request_hash AS "RequestHash", status_code AS "StatusCode", response AS "Response"
            FROM idempotency_keys WHERE user_id = {userId} AND key = {key}
            """).ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Stores the answer in the claiming transaction: it commits with the order, or neither does.</summary>
    public static Task RecordAsync(StorefrontDbContext db, int userId, string key, int statusCode, string response,
        CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE idempotency_keys SET status_code = {statusCode}, response = {response} WHERE user_id = {userId} AND key = {key}",
            cancellationToken);

    public static Task PruneAsync(StorefrontDbContext db, long cutoffMs, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM idempotency_keys WHERE created_at_ms < {cutoffMs}", cancellationToken);

    /// <summary>1 to <see cref="MaxLength"/> visible ASCII characters, as payment APIs take them (a UUID fits).</summary>
    public static bool IsValid(string key) => key.Length is >= 1 and <= MaxLength && key.All(c => c is >= '!' and <= '~');
}
