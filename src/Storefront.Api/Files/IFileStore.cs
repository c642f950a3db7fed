namespace Storefront.Api.Files;

/// <summary>
/// Where uploaded bytes live, by the server's name for them. The folder under <c>Storage__Path/uploads</c> is the one
/// implementation; an S3-compatible object store can replace it (a multipart upload committed by CompleteMultipartUpload,
/// ranged GETs, incomplete uploads aborted by a lifecycle rule) without the endpoints changing.
/// </summary>
public interface IFileStore
{
    /// <summary>Starts writing <paramref name="name"/>: nothing is visible under that name until it is committed.</summary>
    Task<IPendingFile> CreateAsync(string name, CancellationToken cancellationToken);

    /// <summary>The stored bytes, seekable (ranges are served from it), or null when there is no such file.</summary>
    Task<Stream?> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes a stored file; a missing one is not an error.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes what writers that are gone (a crash, a kill) left half-written; returns how many.</summary>
    Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken);

    /// <summary>Bytes the store can still take (free space on its disk), or null when it cannot tell.</summary>
    long? AvailableBytes() => null;
}

/// <summary>A file being written. Disposing it without <see cref="CommitAsync"/> throws the bytes away.</summary>
public interface IPendingFile : IAsyncDisposable
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Makes the file durable and visible under its name, whole.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>The store ran out of space (or of its file-system quota): nothing was kept.</summary>
public sealed class StorageFullException(Exception inner) : IOException("The file store is full.", inner);
