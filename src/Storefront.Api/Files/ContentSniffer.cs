using System.Text.Unicode;

namespace Storefront.Api.Files;

/// <summary>A file's type, decided from its first bytes: what the client declares is not trusted.</summary>
public sealed record SniffedType(string ContentType, string Extension);

/// <summary>
/// Recognises the common formats by their signatures. Anything else is <c>application/octet-stream</c>; text is
/// text/plain only when the bytes seen are valid UTF-8 without control characters. Files are always served with
/// <c>nosniff</c> and as attachments, so a wrong guess cannot make a browser run them.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many leading bytes the decision needs.</summary>
    public const int PrefixLength = 512;

    public const string OctetStream = "application/octet-stream";
    public const string PlainText = "text/plain";

    private static readonly (byte[] Signature, int Offset, SniffedType Type)[] Signatures =
    [
        ([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], 0, new("image/png", ".png")),
        ([0xFF, 0xD8, 0xFF], 0, new("image/jpeg", ".jpg")),
        ("GIF87a"u8.ToArray(), 0, new("image/gif", ".gif")),
        ("GIF89a"u8.ToArray(), 0, new("image/gif", ".gif")),
        ("WEBP"u8.ToArray(), 8, new("image/webp", ".webp")), // after "RIFF" and a length, checked below
        ("BM"u8.ToArray(), 0, new("image/bmp", ".bmp")),
        ("%PDF-"u8.ToArray(), 0, new("application/pdf", ".pdf")),
        ([(byte)'P', (byte)'K', 0x03, 0x04], 0, new("application/zip", ".zip")),
        ([(byte)'P', (byte)'K', 0x05, 0x06], 0, new("application/zip", ".zip")), // an empty archive
        ([0x1F, 0x8B, 0x08], 0, new("application/gzip", ".gz")),
        ("ftyp"u8.ToArray(), 4, new("video/mp4", ".mp4")),
        ("ID3"u8.ToArray(), 0, new("audio/mpeg", ".mp3")),
    ];

    private static readonly SniffedType Text = new(PlainText, ".txt");
    private static readonly SniffedType Binary = new(OctetStream, ".bin");

    /// <summary>Every type <see cref="Sniff"/> can answer: what Uploads__AllowedContentTypes may list.</summary>
    public static IReadOnlySet<string> Known { get; } =
        Signatures.Select(s => s.Type.ContentType).Append(PlainText).Append(OctetStream).ToHashSet(StringComparer.Ordinal);

    /// <param name="prefix">The file's first bytes (up to <see cref="PrefixLength"/>; fewer only when the file is shorter).</param>
    /// <param name="complete">Whether <paramref name="prefix"/> is the whole file (a cut multi-byte character at the end is then not text).</param>
    public static SniffedType Sniff(ReadOnlySpan<byte> prefix, bool complete)
    {
        foreach (var (signature, offset, type) in Signatures)
        {
            if (prefix.Length < offset + signature.Length || !prefix.Slice(offset, signature.Length).SequenceEqual(signature)) continue;
            if (type.Extension == ".webp" && !prefix.StartsWith("RIFF"u8)) continue;
            return type;
        }
        return prefix.Length > 0 && IsText(prefix, complete) ? Text : Binary;
    }

    private static bool IsText(ReadOnlySpan<byte> bytes, bool complete)
    {
        // A prefix may end inside a multi-byte character: drop up to three trailing bytes of an unfinished sequence.
        if (!complete) bytes = bytes[..CompleteLength(bytes)];
        if (!Utf8.IsValid(bytes)) return false;
        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)) return false;
            if (b == 0x7F) return false;
        }
        return true;
    }

    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80) continue; // a continuation byte: keep looking for the sequence's lead
            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }
}
