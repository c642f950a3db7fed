using Storefront.Bench;

namespace Storefront.UploadLoad;

internal sealed record UploadOptions(Uri Url, int Concurrency, int Uploads, int WarmupUploads, long FileBytes, string? Token,
    bool Delete, TimeSpan Timeout)
{
    public const string Usage =
        "usage: Storefront.UploadLoad URL --concurrency N --uploads N --size-mb MB [--warmup-uploads N]\n" +
        "                             [--token T] [--delete] [--timeout S]\n" +
        "URL is the upload endpoint (http://127.0.0.1:5000/upload); MB are 1,000,000 bytes.";

    public static bool TryParse(string[] args, out UploadOptions options, out string problem)
    {
        options = null!;
        if (!CommandLine.TryRead(args, ["--concurrency", "--uploads", "--warmup-uploads", "--size-mb", "--timeout"],
                ["--token"], ["--delete"], out var line, out problem))
            return false;
        var (concurrency, uploads, warmup) = (line.Int("--concurrency", 0), line.Int("--uploads", 0), line.Int("--warmup-uploads", 0));
        var (sizeMb, timeout) = (line.Number("--size-mb", 0), line.Number("--timeout", 120));
        if (line.Url is not { Scheme: "http" or "https" } url || concurrency <= 0 || uploads <= 0 || warmup < 0 || sizeMb <= 0 ||
            timeout <= 0)
        {
            problem = "a URL, --concurrency, --uploads and --size-mb are required, and every number must be positive";
            return false;
        }
        options = new UploadOptions(url, concurrency, uploads, warmup, (long)Math.Round(sizeMb * 1_000_000),
            line.Text("--token"), line.Has("--delete"), TimeSpan.FromSeconds(timeout));
        return true;
    }
}
