// Upload load for scripts/bench: --concurrency clients on one shared HttpClient, each sending generated files of
// --size-mb as multipart/form-data (one field "file", filename upload-N.bin) to the URL, the next as soon as the last
// is answered, until --uploads are done (after --warmup-uploads uncounted ones). The bytes are made while they are
// sent from one random 1 MiB block (GeneratedFile): the client holds no file, so what grows with the files in flight
// is the server's memory, if anything. Prints one WRK_JSON line (UploadSummary: MB/s, latency per upload, answers by
// status), and WINDOW_START / WINDOW_END around the counted uploads (scripts/bench reads the server's CPU between them).
//
//   Storefront.UploadLoad http://127.0.0.1:5000/upload --concurrency 50 --uploads 100 --size-mb 20
//                         [--warmup-uploads 10] [--token T | --username U --password P] [--delete] [--timeout 120]
//
// --token sends "Authorization: Bearer T"; --username and --password get one first (POST /token on the same origin,
// the OAuth2 password form). --delete sends DELETE to every stored file's Location at the end (a server without
// Location headers, like the FastAPI peer, has nothing deleted). --timeout bounds each upload.
// Exit status: 0 if some counted upload was answered 2xx, 1 if none was (the reason on stderr), 2 on bad arguments.

using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using Storefront.UploadLoad;

if (!UploadOptions.TryParse(args, out var options, out var problem))
{
    if (problem.Length > 0) Console.Error.WriteLine(problem);
    Console.Error.WriteLine(UploadOptions.Usage);
    return 2;
}

using var client = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Concurrency + 8,   // the uploads, and the deletes after them
    ConnectTimeout = TimeSpan.FromSeconds(10),
    UseCookies = false,
    UseProxy = false,
    ActivityHeadersPropagator = null,
})
{ Timeout = options.Timeout };

var token = options.Token;
if (options.Username is not null)
{
    token = await LogInAsync(client, new Uri(options.Url, "/token"), options.Username, options.Password!);
    if (token is null) return 1;
}

var summary = await new UploadLoad(options, client, token).RunAsync();
// Relaxed escaping: first_error stays readable (a Problem Details body keeps its quotes).
var json = new JsonSerializerOptions
{
    PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
};
Console.WriteLine("WRK_JSON " + JsonSerializer.Serialize(summary, json));
if (summary.FirstError is not null) Console.Error.WriteLine($"first error: {summary.FirstError}");
if (summary.Ok > 0) return 0;
Console.Error.WriteLine($"no upload to {options.Url} was answered 2xx");
return 1;

static async Task<string?> LogInAsync(HttpClient client, Uri url, string username, string password)
{
    using var form = new FormUrlEncodedContent([new("username", username), new("password", password)]);
    try
    {
        using var response = await client.PostAsync(url, form);
        if (response.IsSuccessStatusCode &&
            await response.Content.ReadFromJsonAsync<JsonElement>() is { ValueKind: JsonValueKind.Object } body &&
            body.TryGetProperty("access_token", out var token) && token.GetString() is { Length: > 0 } value)
            return value;
        Console.Error.WriteLine($"POST {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
    catch (HttpRequestException e)
    {
        Console.Error.WriteLine($"POST {url}: {UploadLoad.Describe(e)}");
    }
    return null;
}
