using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>
/// The real folder store, except that a file being written runs out of room after <c>room</c> bytes, as on a full
/// disk: the bytes that fit are really written, then the write fails with <see cref="StorageFullException"/> (what the
/// folder store throws for ENOSPC). What the folder held at that moment is kept for the test to look at.
/// </summary>
internal sealed class FillingFileStore : IFileStore
{
    private readonly long _room;
    private FolderFileStore _folder = null!;

    private FillingFileStore(long room) => _room = room;

    /// <summary>The uploads folder's files and their lengths when the disk "filled", if it did.</summary>
    public IReadOnlyDictionary<string, long>? SeenWhenFull { get; private set; }

    /// <summary>Puts a filling store in the host's place of its store, around the real folder store.</summary>
    public static FillingFileStore Install(SqliteStorefrontFactory host, long room)
    {
        var store = new FillingFileStore(room);
        host.WithServices(services => services.AddSingleton<IFileStore>(sp =>
        {
            store._folder = ActivatorUtilities.CreateInstance<FolderFileStore>(sp);
            return store;
        }));
        return store;
    }

    public async Task<IPendingFile> CreateAsync(string name, CancellationToken cancellationToken) =>
        new FillingFile(this, await _folder.CreateAsync(name, cancellationToken));

    public Task<Stream?> OpenReadAsync(string name, CancellationToken cancellationToken) => _folder.OpenReadAsync(name, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => _folder.DeleteAsync(name, cancellationToken);

    public Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken) => _folder.RemoveAbandonedAsync(cancellationToken);

    private sealed class FillingFile(FillingFileStore store, IPendingFile inner) : IPendingFile
    {
        private long _written;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            var fits = (int)Math.Min(bytes.Length, store._room - _written);
            if (fits > 0)
            {
                await inner.WriteAsync(bytes[..fits], cancellationToken);
                _written += fits;
            }
            if (fits == bytes.Length) return;
            store.SeenWhenFull = new DirectoryInfo(store._folder.Root).EnumerateFiles().ToDictionary(f => f.Name, f => f.Length);
            throw new StorageFullException(new IOException("No space left on device", 28));
        }

        public Task CommitAsync(CancellationToken cancellationToken) => inner.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
