using System.Text.Json;

namespace Storefront.Api.Upstreams;

/// <summary>
/// An upstream's JSON body, kept as the bytes it arrived in and written out unchanged: passing a body through
/// costs one validation pass, not a parse into a document and a re-serialisation.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly struct RawJson(byte[] utf8)
{
    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

    /// <summary>Checks that the bytes are one complete JSON value (no allocation); throws JsonException if not.</summary>
    public static RawJson Validate(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read()) throw new JsonException("Empty body.");
        reader.Skip();
        if (reader.Read()) throw new JsonException("More than one JSON value.");
        return new RawJson(utf8);
    }

    public override string ToString() => System.Text.Encoding.UTF8.GetString(Utf8.Span);
}

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement, options));
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true); // Validated when it was received.
}
