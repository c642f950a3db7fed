using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Storefront.Rate;

/// <summary>
/// GET requests over plain sockets (--raw): a request costs the client two system calls and a little parsing, several
/// times less than HttpClient, so one core can send three times what a server core answers (the overload benchmark).
/// Connections are opened only when none is idle, up to the maximum; past it, requests wait here, their latency still
/// counted from when they were due.
/// </summary>
internal sealed class RawClient
{
    private readonly Uri _url;
    private readonly byte[] _request;
    private readonly int _max;
    private readonly TimeSpan _timeout;
    private readonly Outcome[] _results;
    private readonly ConcurrentStack<RawConnection> _idle = new();
    private readonly ConcurrentQueue<(int Index, long Due)> _waiting = new();
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _open;
    private int _done;

    private readonly long _started;

    public RawClient(Uri url, int maxConnections, TimeSpan timeout, Outcome[] results, long started)
    {
        _started = started;
        _url = url;
        _request = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n");
        _max = maxConnections;
        _timeout = timeout;
        _results = results;
    }

    public Task AllDone => _allDone.Task;

    public void Send(int index, long due)
    {
        if (_idle.TryPop(out var connection)) _ = RunAsync(connection, index, due);
        else if (Interlocked.Increment(ref _open) <= _max) _ = RunAsync(null, index, due);
        else
        {
            Interlocked.Decrement(ref _open);
            _waiting.Enqueue((index, due));
        }
    }

    private async Task RunAsync(RawConnection? connection, int index, long due)
    {
        while (true)
        {
            connection = await ExchangeAsync(connection, index, due);
            if (Interlocked.Increment(ref _done) == _results.Length) _allDone.TrySetResult();
            if (!_waiting.TryDequeue(out var next)) break;
            (index, due) = next;
        }
        if (connection is null) Interlocked.Decrement(ref _open);
        else _idle.Push(connection);
        // One may have been queued while this connection was being released.
        if (_waiting.TryDequeue(out var late)) Send(late.Index, late.Due);
    }

    /// <returns>The connection to use again, or null when it broke.</returns>
    private async Task<RawConnection?> ExchangeAsync(RawConnection? connection, int index, long due)
    {
        var outcome = new Outcome();
        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            connection ??= await RawConnection.OpenAsync(_url, timeout.Token);
            var (status, bytes, keepAlive) = await connection.ExchangeAsync(_request, timeout.Token);
            outcome.Kind = status is >= 200 and < 300 ? OutcomeKind.Ok : OutcomeKind.Status;
            outcome.Status = status;
            outcome.Bytes = bytes;
            if (!keepAlive)
            {
                connection.Dispose();
                connection = null;
            }
        }
        catch (OperationCanceledException)
        {
            outcome.Kind = OutcomeKind.Timeout;
            connection?.Dispose();
            connection = null;
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
        {
            outcome.Kind = OutcomeKind.Failed;
            connection?.Dispose();
            connection = null;
        }
        outcome.LatencyMs = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
        outcome.DoneMs = Stopwatch.GetElapsedTime(_started).TotalMilliseconds;
        _results[index] = outcome;
        return connection;
    }
}

/// <summary>One kept-alive HTTP/1.1 connection: sends a request, reads one response (Content-Length or chunked).</summary>
internal sealed class RawConnection(Socket socket) : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public static async Task<RawConnection> OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(url.Host, url.Port, cancellationToken);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<(int Status, long Bytes, bool KeepAlive)> ExchangeAsync(byte[] request, CancellationToken cancellationToken)
    {
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);
        int end;
        while ((end = Find(HeaderEnd)) < 0) await FillAsync(cancellationToken);
        var head = Encoding.ASCII.GetString(_buffer, _start, end - _start);
        _start = end + HeaderEnd.Length;
        if (head.Length < 12 || !int.TryParse(head.AsSpan(9, 3), out var status))
            throw new InvalidDataException($"not an HTTP response: {head[..Math.Min(40, head.Length)]}");
        long length = 0;
        bool chunked = false, close = false;
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value);
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                close = value.Contains("close", StringComparison.OrdinalIgnoreCase);
        }
        if (!chunked)
        {
            await SkipAsync(length, cancellationToken);
            return (status, length, !close);
        }
        long bytes = 0;
        while (true)
        {
            var size = Convert.ToInt64((await ReadLineAsync(cancellationToken)).Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                await ReadLineAsync(cancellationToken); // The blank line after the last chunk (no trailers are sent).
                return (status, bytes, !close);
            }
            await SkipAsync(size, cancellationToken);
            await ReadLineAsync(cancellationToken);
            bytes += size;
        }
    }

    public void Dispose() => socket.Dispose();

    private int Find(byte[] marker)
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf(marker);
        return at < 0 ? -1 : _start + at;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int end;
        while ((end = Find(LineEnd)) < 0) await FillAsync(cancellationToken);
        var line = Encoding.ASCII.GetString(_buffer, _start, end - _start);
        _start = end + LineEnd.Length;
        return line;
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end) await FillAsync(cancellationToken);
            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end) _start = _end = 0;
        else if (_end == _buffer.Length)
        {
            if (_start == 0) throw new InvalidDataException("response headers over 16 KiB");
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0) throw new IOException("the server closed the connection");
        _end += read;
    }
}
