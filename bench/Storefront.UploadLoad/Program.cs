// Upload load for scripts/bench: --concurrency clients on one HttpClient, each sending generated multipart files of
// --size-mb, the next as soon as the last is answered, until --uploads are done. The bytes are made while they are sent
// (GeneratedFile): the client holds no file, so what grows with the files in flight is the server's memory, if
// anything. Prints one WRK_JSON line (UploadSummary), WINDOW_START / WINDOW_END around the counted uploads. Options:
// bench/README.md, "Load tools". Exit status: 0 if a counted upload was answered 2xx, 1 if none was, 2 on bad arguments.

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
