using Npgsql;

namespace Storefront.Api.Data;

/// <summary>
/// The service's PostgreSQL data sources, one pool per server. One server: everything uses it. Several (a primary
/// and a standby in one connection string, <c>Host=a:5432,b:5432</c>): Npgsql asks each server whether it is in
/// recovery and keeps the answer for <c>Host Recheck Seconds</c>, so after a promotion the service finds the new
/// primary by itself. <see cref="Primary"/> takes writes and fresh reads; <see cref="For"/> sends tolerant reads
/// to the standby while its lag is within the bound (<see cref="ReplicationLag"/>).
/// </summary>
public sealed class PostgresSources : IAsyncDisposable
{
    private readonly NpgsqlDataSource _root;
    private readonly NpgsqlDataSource? _preferStandby;
    private readonly ReplicationLag _lag;
    private readonly bool _standbyReads;

    public PostgresSources(DatabaseProvider provider, IOptions<DatabaseOptions> options, ReplicationLag lag)
    {
        _lag = lag;
        _standbyReads = options.Value.StandbyReads;
        _root = NpgsqlDataSource.Create(provider.ConnectionString);
        if (_root is NpgsqlMultiHostDataSource multiHost)
        {
            Primary = multiHost.WithTargetSession(TargetSessionAttributes.Primary);
            _preferStandby = multiHost.WithTargetSession(TargetSessionAttributes.PreferStandby);
            Standby = multiHost.WithTargetSession(TargetSessionAttributes.Standby);
        }
        else
        {
            Primary = _root;
        }
    }

    /// <summary>Writes and reads that must see the latest commit.</summary>
    public NpgsqlDataSource Primary { get; }

    /// <summary>Only a standby (the lag probe); null with one server.</summary>
    public NpgsqlDataSource? Standby { get; }

    public bool IsReplicated => Standby is not null;

    /// <summary>
    /// Where a read of this freshness goes: a tolerant read to the standby (the primary if none answers) while the
    /// standby's last measured lag is within the bound; otherwise, and for fresh reads, the primary.
    /// </summary>
    public NpgsqlDataSource For(ReadFreshness freshness) =>
        freshness == ReadFreshness.BoundedStaleness && _standbyReads && _preferStandby is not null && _lag.IsWithinBound
            ? _preferStandby
            : Primary;

    public ValueTask DisposeAsync() => _root.DisposeAsync();
}
