using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Storefront.Api.Data;

namespace Storefront.Api.Files;

/// <summary>
/// Files in one folder, <c>Storage__Path/uploads</c>. A file is written under a hidden temporary name in the same folder,
/// flushed to disk and renamed to its own name only when whole, so readers never see part of one. A writer holds an
/// exclusive lock on its temporary; at startup every temporary nobody holds is a leftover and is removed. Several
/// instances may share the folder on one host (the lock is the kernel's); across hosts use an object store.
/// </summary>
internal sealed partial class FolderFileStore : IFileStore
{
    private const string TemporaryPrefix = ".upload-";
    private const string TemporarySuffix = ".tmp";

    // Linux errno values (.NET reports them as the IOException's HResult) and their Windows counterparts.
    private const int NoSpace = 28, QuotaExceeded = 122;
    private const int DiskFull = unchecked((int)0x80070070), HandleDiskFull = unchecked((int)0x80070027);

    private readonly ILogger<FolderFileStore> _logger;

    public FolderFileStore(IOptions<StorageOptions> storage, ILogger<FolderFileStore> logger)
    {
        _logger = logger;
        Root = Path.GetFullPath(Path.Combine(storage.Value.Path, "uploads"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public Task<IPendingFile> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var final = PathOf(name);
        var temporary = Path.Combine(Root, $"{TemporaryPrefix}{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12))}{TemporarySuffix}");
        // FileShare.None takes the kernel lock (flock) that tells the startup sweep this temporary is still being written.
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
        }
        catch (IOException e) when (IsStorageFull(e))
        {
            throw new StorageFullException(e);
        }
        return Task.FromResult<IPendingFile>(new PendingFile(handle, temporary, final));
    }

    public Task<Stream?> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            // bufferSize 1: no FileStream buffer under the response's own copy buffer. Delete is shared so a download
            // in progress does not stop its owner deleting the file.
            Stream stream = new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<Stream?>(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(name));
        return Task.CompletedTask;
    }

    /// <summary>Free space for this process on the file system that holds the folder.</summary>
    public long? AvailableBytes()
    {
        try
        {
            return new DriveInfo(Root).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public Task<int> RemoveAbandonedAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(Root, $"{TemporaryPrefix}*{TemporarySuffix}"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // Taking the lock succeeds only when no writer (here or in another process) holds it.
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                File.Delete(path);
                removed++;
            }
            catch (IOException)
            {
                // Being written right now, or already gone.
            }
        }
        if (removed > 0) LogRemoved(_logger, removed, Root);
        return Task.FromResult(removed);
    }

    public static bool IsStorageFull(IOException e) => e.HResult is NoSpace or QuotaExceeded or DiskFull or HandleDiskFull;

    /// <summary>
    /// The path of a stored name. Names are the server's own (<see cref="StoredFiles.NameFor"/>); this check keeps any
    /// other string, should one ever reach here, from naming a path outside the folder.
    /// </summary>
    private string PathOf(string name)
    {
        if (!StoredFiles.IsValidName(name)) throw new ArgumentException($"'{name}' is not a stored file name.", nameof(name));
        return Path.Combine(Root, name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} unfinished upload(s) left in {Folder} by a writer that stopped")]
    private static partial void LogRemoved(ILogger logger, int count, string folder);

    private sealed class PendingFile(SafeFileHandle handle, string temporary, string final) : IPendingFile
    {
        private long _length;
        private bool _committed;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            try
            {
                await RandomAccess.WriteAsync(handle, bytes, _length, cancellationToken);
            }
            catch (IOException e) when (IsStorageFull(e))
            {
                throw new StorageFullException(e);
            }
            _length += bytes.Length;
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            try
            {
                // A 201 promises the bytes survive a power cut. fsync has no asynchronous form; .NET's file writes on
                // Linux already run on the thread pool, so this waits where they do, not on a request thread.
                await Task.Run(() => RandomAccess.FlushToDisk(handle), cancellationToken);
            }
            catch (IOException e) when (IsStorageFull(e))
            {
                throw new StorageFullException(e);
            }
            File.Move(temporary, final, overwrite: false);
            _committed = true;
        }

        public ValueTask DisposeAsync()
        {
            handle.Dispose();
            if (!_committed) File.Delete(temporary);
            return ValueTask.CompletedTask;
        }
    }
}
