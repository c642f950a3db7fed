using System.Globalization;

namespace Storefront.UploadLoad;

internal sealed record UploadOptions(Uri Url, int Concurrency, int Uploads, int WarmupUploads, long FileBytes, string? Token,
    string? Username, string? Password, bool Delete, TimeSpan Timeout, int Seed)
{
    public const string Usage =
        "usage: Storefront.UploadLoad URL --concurrency N --uploads N --size-mb MB [--warmup-uploads N]\n" +
        "                             [--token T | --username U --password P] [--delete] [--timeout S] [--seed N]\n" +
        "URL is the upload endpoint (http://127.0.0.1:5000/upload); MB are 1,000,000 bytes.";

    public static bool TryParse(string[] args, out UploadOptions options, out string problem)
    {
        options = null!;
        problem = "";
        Uri? url = null;
        int concurrency = 0, uploads = 0, warmup = 0, seed = 1;
        double sizeMb = 0, timeout = 120;
        string? token = null, username = null, password = null;
        var delete = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--concurrency" when Int(value, out concurrency): i++; break;
                case "--uploads" when Int(value, out uploads): i++; break;
                case "--warmup-uploads" when Int(value, out warmup): i++; break;
                case "--seed" when Int(value, out seed): i++; break;
                case "--size-mb" when Number(value, out sizeMb): i++; break;
                case "--timeout" when Number(value, out timeout): i++; break;
                case "--token" when value is not null: token = value; i++; break;
                case "--username" when value is not null: username = value; i++; break;
                case "--password" when value is not null: password = value; i++; break;
                case "--delete": delete = true; break;
                default:
                    if (url is null && Uri.TryCreate(args[i], UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
                        url = parsed;
                    else
                    {
                        problem = $"not understood: {args[i]}";
                        return false;
                    }
                    break;
            }
        }
        if (url is null || concurrency <= 0 || uploads <= 0 || warmup < 0 || sizeMb <= 0 || timeout <= 0)
        {
            problem = "a URL, --concurrency, --uploads and --size-mb are required, and every number must be positive";
            return false;
        }
        if (token is not null && (username ?? password) is not null || (username is null) != (password is null))
        {
            problem = "give either --token or both --username and --password (or neither: no Authorization header)";
            return false;
        }
        options = new UploadOptions(url, concurrency, uploads, warmup, (long)Math.Round(sizeMb * 1_000_000), token, username,
            password, delete, TimeSpan.FromSeconds(timeout), seed);
        return true;
    }

    private static bool Int(string? text, out int value) => int.TryParse(text, CultureInfo.InvariantCulture, out value);

    private static bool Number(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
