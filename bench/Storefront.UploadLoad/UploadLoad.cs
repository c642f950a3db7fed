using System.Diagnostics;
using System.Net.Http.Headers;

namespace Storefront.UploadLoad;

internal enum OutcomeKind { NotSent, Ok, Status, Timeout, ConnectFailed, Failed }

internal readonly record struct Outcome(OutcomeKind Kind, int Status, double LatencyMs, Uri? Location);

/// <summary>
/// The uploads: a warm-up (not counted: a fresh server's first uploads run on unoptimised code), then the counted ones,
/// each phase with up to --concurrency uploads in flight, each client starting the next upload as soon as its last one
/// is answered, until the phase's number is reached. Then, with --delete, every stored file is deleted again.
/// </summary>
internal sealed class UploadLoad(UploadOptions options, HttpClient client)
{
    private const int DeleteParallelism = 8;

    private readonly byte[] block = GeneratedFile.RandomBlock(seed: 1);
    private string? firstError;

    public async Task<UploadSummary> RunAsync()
    {
        var warmup = new Outcome[options.WarmupUploads];
        await RunPhaseAsync(warmup, firstNumber: 0);

        // scripts/bench reads the server's CPU between these two lines: not over the warm-up, nor the deletes.
        Console.WriteLine("WINDOW_START");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var counted = new Outcome[options.Uploads];
        await RunPhaseAsync(counted, firstNumber: warmup.Length);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine("WINDOW_END");

        var (deleted, deleteFailures) = options.Delete ? await DeleteAsync([.. warmup, .. counted]) : (0, 0);
        return UploadSummary.Of(options, counted, seconds, clientCpu, deleted, deleteFailures, firstError);
    }

    private async Task RunPhaseAsync(Outcome[] outcomes, int firstNumber)
    {
        var next = -1;
        var clients = Enumerable.Range(0, Math.Min(options.Concurrency, outcomes.Length)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < outcomes.Length)
                outcomes[i] = await UploadAsync(firstNumber + i);
        });
        await Task.WhenAll(clients);
    }

    private async Task<Outcome> UploadAsync(long number)
    {
        using var file = new GeneratedFile(block, options.FileBytes, number);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var form = new MultipartFormDataContent();
        form.Add(file, "file", $"upload-{number}.bin");
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = form };
        if (options.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var body = await response.Content.ReadAsStringAsync();
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
                return new Outcome(OutcomeKind.Ok, status, ms, response.Headers.Location is { } at ? new Uri(options.Url, at) : null);
            Note($"HTTP {status}: {body[..Math.Min(body.Length, 300)]}");
            return new Outcome(OutcomeKind.Status, status, ms, null);
        }
        catch (TaskCanceledException)
        {
            Note($"no answer within {options.Timeout.TotalSeconds:0} s");
            return new Outcome(OutcomeKind.Timeout, 0, 0, null);
        }
        catch (HttpRequestException e)
        {
            Note(Describe(e));
            var connect = e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
            return new Outcome(connect ? OutcomeKind.ConnectFailed : OutcomeKind.Failed, 0, 0, null);
        }
    }

    /// <summary>DELETE of every stored file (its Location), a few at a time: the disk holds one window's files at most.</summary>
    private async Task<(int Deleted, int Failed)> DeleteAsync(Outcome[] outcomes)
    {
        int deleted = 0, failed = 0;
        var stored = outcomes.Where(o => o.Location is not null).Select(o => o.Location!);
        await Parallel.ForEachAsync(stored, new ParallelOptions { MaxDegreeOfParallelism = DeleteParallelism }, async (location, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, location);
            if (options.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
            try
            {
                using var response = await client.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref deleted);
                    return;
                }
                Note($"DELETE {location.AbsolutePath}: HTTP {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Note($"DELETE {location.AbsolutePath}: {e.Message}");
            }
            Interlocked.Increment(ref failed);
        });
        return (deleted, failed);
    }

    private void Note(string error) => Interlocked.CompareExchange(ref firstError, error, null);

    private static string Describe(HttpRequestException e) =>
        e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{e.Message} ({inner.Message})"
            : e.Message;
}
