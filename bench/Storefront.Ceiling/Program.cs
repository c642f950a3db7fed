using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using StackExchange.Redis;

// The benchmark's ceiling: the same scenarios as Storefront with nothing but Kestrel, raw Npgsql,
// one Redis connection and one pooled HttpClient. No validation, no Problem Details, no options:
// the point is to show what this machine can do, so Storefront's overhead can be read as a ratio.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, CeilingJson.Default);
});
var app = builder.Build();

var postgres = Environment.GetEnvironmentVariable("CEILING_POSTGRES");
// Storefront's own connection defaults (statements prepared after a few uses, no session reset on return): the same
// query on the same terms, or the ratio would measure PostgreSQL's planner instead of the service.
await using var db = postgres is null ? null
    : NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres) { MaxAutoPrepare = 32, NoResetOnClose = true }.ConnectionString);
var redisAddress = Environment.GetEnvironmentVariable("CEILING_REDIS");
using var redis = redisAddress is null ? null : await ConnectionMultiplexer.ConnectAsync(redisAddress);
using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), MaxConnectionsPerServer = int.MaxValue, UseProxy = false });
string?[] sources =
[
    Environment.GetEnvironmentVariable("CEILING_PRICING_URL")?.TrimEnd('/'),
    Environment.GetEnvironmentVariable("CEILING_INVENTORY_URL")?.TrimEnd('/'),
    Environment.GetEnvironmentVariable("CEILING_RECO_URL")?.TrimEnd('/'),
];

app.Use((context, next) =>
{
    var started = Stopwatch.GetTimestamp();
    context.Response.OnStarting(() =>
    {
        context.Response.Headers["X-Process-Time"] = Stopwatch.GetElapsedTime(started).TotalSeconds.ToString("F6", CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    });
    return next(context);
});

app.UseWebSockets();

app.MapGet("/health", () => "ok");
app.MapGet("/", () => new Hello("Hello World"));
app.MapGet("/slow", async (double seconds, CancellationToken ct) =>
{
    await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
    return new SlowMessage($"Completed after {seconds.ToString(CultureInfo.InvariantCulture)} seconds");
});

// The same query as Storefront's GET /items/{id}: the item with its units available (the stock_available view) and
// its version, sent as the ETag.
app.MapGet("/items/{id:int}", async (int id, HttpResponse response, CancellationToken ct) =>
{
    await using var command = db!.CreateCommand("""
        SELECT i.id, i.name, i.price, i.description, COALESCE(s.available, 0), i.version
        FROM items i LEFT JOIN stock_available s ON s.item_id = i.id WHERE i.id = $1
        """);
    command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
    await using var reader = await command.ExecuteReaderAsync(ct);
    if (!await reader.ReadAsync(ct)) return Results.NotFound();
    response.Headers.ETag = string.Create(CultureInfo.InvariantCulture, $"\"{reader.GetInt32(5)}\"");
    return Results.Ok(new Item(reader.GetInt32(0), reader.GetString(1), reader.GetDecimal(2), reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetInt32(4)));
});

app.MapGet("/cached-data", async (HttpContext context, CancellationToken ct) =>
{
    var cache = redis!.GetDatabase();
    var cached = await cache.StringGetAsync("ceiling:data");
    if (cached.HasValue)
    {
        context.Response.Headers["X-Cache"] = "HIT";
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync((byte[])cached!, ct);
        return;
    }
    await using var command = db!.CreateCommand("SELECT count(*)::int, coalesce(avg(price), 0) FROM items");
    await using var reader = await command.ExecuteReaderAsync(ct);
    await reader.ReadAsync(ct);
    var body = JsonSerializer.SerializeToUtf8Bytes(new DataSummary(reader.GetInt32(0), Math.Round(reader.GetDecimal(1), 2)), CeilingJson.Default.DataSummary);
    await cache.StringSetAsync("ceiling:data", body, TimeSpan.FromSeconds(300));
    context.Response.Headers["X-Cache"] = "MISS";
    context.Response.ContentType = "application/json";
    await context.Response.Body.WriteAsync(body, ct);
});

app.MapGet("/product/{id:int}", async (int id, HttpContext context, CancellationToken ct) =>
{
    var suffix = id.ToString(CultureInfo.InvariantCulture);
    var calls = new Task<(byte[]? Body, double Ms)>[3];
    for (var i = 0; i < 3; i++) calls[i] = Fetch($"{sources[i]}/{suffix}", ct);
    await Task.WhenAll(calls);
    context.Response.ContentType = "application/json";
    await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
    json.WriteStartObject();
    json.WriteNumber("id", id);
    string[] names = ["price", "stock", "reco"];
    var complete = true;
    for (var i = 0; i < 3; i++)
    {
        var (body, _) = await calls[i];
        json.WritePropertyName(names[i]);
        if (body is null) { json.WriteNullValue(); complete = false; }
        else json.WriteRawValue(body, skipInputValidation: true);
    }
    json.WriteBoolean("complete", complete);
    json.WriteStartObject("sources");
    string[] sourceNames = ["pricing", "inventory", "reco"];
    for (var i = 0; i < 3; i++)
    {
        var (body, ms) = await calls[i];
        json.WriteStartObject(sourceNames[i]);
        json.WriteString("status", body is null ? "error" : "ok");
        json.WriteNumber("ms", ms);
        json.WriteEndObject();
    }
    json.WriteEndObject();
    json.WriteEndObject();
});

app.Map("/ws", async (HttpContext context) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await Echo(socket, context.RequestAborted);
});

await app.RunAsync();

// Every text message m answered with "Echo: m", from one buffer that already holds the prefix.
static async Task Echo(WebSocket socket, CancellationToken ct)
{
    var buffer = new byte[4096];
    var prefix = "Echo: "u8.Length;
    "Echo: "u8.CopyTo(buffer);
    try
    {
        while (true)
        {
            var length = prefix;
            ValueWebSocketReceiveResult received;
            do
            {
                if (length == buffer.Length)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, null, ct);
                    return;
                }
                received = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                length += received.Count;
            } while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, ct);
        }
    }
    catch (Exception e) when (e is WebSocketException or OperationCanceledException)
    {
        // The client left without the close handshake.
    }
}

async Task<(byte[]? Body, double Ms)> Fetch(string url, CancellationToken ct)
{
    var started = Stopwatch.GetTimestamp();
    try
    {
        var body = await http.GetByteArrayAsync(url, ct);
        return (body, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
    }
    catch (HttpRequestException)
    {
        return (null, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
    }
}

internal sealed record Hello(string Message);
internal sealed record SlowMessage(string Msg);
internal sealed record Item(int Id, string Name, decimal Price, string? Description, int InStock);
internal sealed record DataSummary(int Items, decimal AvgPrice);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Hello))]
[JsonSerializable(typeof(SlowMessage))]
[JsonSerializable(typeof(Item))]
[JsonSerializable(typeof(DataSummary))]
internal sealed partial class CeilingJson : JsonSerializerContext;
