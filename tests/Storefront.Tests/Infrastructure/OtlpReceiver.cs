using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP endpoint (protobuf) on a loopback port that keeps every span it is sent, decoded just far enough to
/// check trace ids, parents, names and string attributes.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>Export requests per signal path (/v1/traces, /v1/metrics, ...).</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Requests.AddOrUpdate("/v1/" + signal, 1, (_, n) => n + 1);
            if (signal == "traces")
            {
                foreach (var span in OtlpSpans.Decode(body.ToArray())) receiver._spans.Enqueue(span);
            }
            return Results.Ok();
        });
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Reads ExportTraceServiceRequest → ResourceSpans(2: scope_spans) → ScopeSpans(2: spans) → Span(1 trace_id,
/// 2 span_id, 4 parent_span_id, 5 name, 9 attributes: KeyValue(1 key, 2 AnyValue(1 string_value))).
/// </summary>
internal static class OtlpSpans
{
    public static List<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Fields(request, 1))
        foreach (var scopeSpans in Fields(resourceSpans, 2))
        foreach (var span in Fields(scopeSpans, 2))
        {
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var keyValue in Fields(span, 9))
            {
                var key = Text(Fields(keyValue, 1).FirstOrDefault());
                var value = Fields(keyValue, 2).FirstOrDefault();
                if (key.Length > 0 && value is not null && Fields(value, 1).FirstOrDefault() is { } text) attributes[key] = Text(text);
            }
            spans.Add(new ReceivedSpan(Hex(Fields(span, 1).FirstOrDefault()), Hex(Fields(span, 2).FirstOrDefault()),
                Hex(Fields(span, 4).FirstOrDefault()), Text(Fields(span, 5).FirstOrDefault()), attributes));
        }
        return spans;
    }

    /// <summary>The length-delimited fields with this number; other fields (varints, fixed) are skipped.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var i = 0;
        while (i < message.Length)
        {
            var tag = Varint(message, ref i);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0: Varint(message, ref i); break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    if ((int)(tag >> 3) == number) found.Add(message[i..(i + length)]);
                    i += length;
                    break;
                default: throw new InvalidDataException($"wire type {wireType} is not OTLP's");
            }
        }
        return found;
    }

    private static ulong Varint(byte[] message, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    private static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexStringLower(bytes);

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);
}
