// Upload load for scripts/bench: --concurrency clients on one HttpClient, each sending generated multipart files of
// --size-mb, the next as soon as the last is answered, until --uploads are done. The bytes are made while they are sent
// (GeneratedFile): the client holds no file, so what grows with the files in flight is the server's memory, if
// anything. Prints one WRK_JSON line (UploadSummary), WINDOW_START / WINDOW_END around the counted uploads. Options:
// bench/README.md, "Load tools". Exit status: 0 if a counted upload was answered 2xx, 1 if none was, 2 on bad arguments.

using Storefront.Bench;
using Storefront.UploadLoad;

if (!UploadOptions.TryParse(args, out var options, out var problem))
{
    if (problem.Length > 0) Console.Error.WriteLine(problem);
    Console.Error.WriteLine(UploadOptions.Usage);
    return 2;
}

// Connections for the uploads, and the deletes after them.
using var client = LoadTool.Client(options.Concurrency + 8, TimeSpan.FromSeconds(10), options.Timeout);
var summary = await new UploadLoad(options, client).RunAsync();
LoadTool.PrintWrkJson(summary);
if (summary.FirstError is not null) Console.Error.WriteLine($"first error: {summary.FirstError}");
if (summary.Ok > 0) return 0;
Console.Error.WriteLine($"no upload to {options.Url} was answered 2xx");
return 1;
