using System.Diagnostics.Metrics;

namespace Storefront.Api.Files;

/// <summary>Uploads for /metrics: how each ended, the bytes kept, and how many are in flight.</summary>
internal sealed class FileMetrics
{
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _bytes;
    private long _active;

    public FileMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Storefront.Files");
        _uploads = meter.CreateCounter<long>("storefront.uploads", null,
            "Uploads by outcome: stored, too_large, over_quota, type_refused, busy, storage_full, invalid (no file field, a bad boundary), failed (the client left, a malformed body, an error)");
        _bytes = meter.CreateCounter<long>("storefront.uploads.stored", "By", "Bytes of the uploads stored");
        meter.CreateObservableUpDownCounter("storefront.uploads.active", () => Volatile.Read(ref _active), null, "Uploads being received");
    }

    public void Ended(string outcome) => _uploads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Stored(long bytes)
    {
        Ended("stored");
        _bytes.Add(bytes);
    }

    /// <summary>Counts an upload in flight until the returned scope is disposed.</summary>
    public ActiveUpload Started()
    {
        Interlocked.Increment(ref _active);
        return new ActiveUpload(this);
    }

    public readonly struct ActiveUpload(FileMetrics metrics) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref metrics._active);
    }
}
