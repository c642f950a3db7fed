using System.Text;
using QRCoder;

namespace Storefront.Api.Inference;

/// <summary>What to encode and how large each module (dot) is drawn.</summary>
public readonly record struct QrRequest(string Data, int PixelsPerModule);

/// <summary>
/// GET /qr (docs/seeds.md): QRCoder is synchronous and CPU-heavy for large payloads, so it runs on its own
/// CPU runner, never on a request thread.
/// </summary>
public static class QrCodes
{
    public const int MaxDataLength = 1000;

    /// <summary>
    /// What the largest code holds at ECC level M in byte mode: QRCoder counts bytes, not characters, so 1,000 CJK
    /// characters (3,000 bytes in UTF-8) would not fit where 1,000 Latin letters do.
    /// </summary>
    public const int MaxDataBytes = 2331;
    public const int MinSize = 1;
    public const int MaxSize = 40;
    public const int DefaultSize = 10;

    /// <summary>
    /// The bytes QRCoder will encode <paramref name="data"/> as: ISO-8859-1 when every character fits in it, UTF-8
    /// otherwise. Checked before the work is queued, since an oversized input would fail the whole batch it ran in.
    /// </summary>
    public static int EncodedBytes(string data) =>
        data.AsSpan().ContainsAnyExceptInRange('\0', '\u00FF') ? Encoding.UTF8.GetByteCount(data) : data.Length;

    public static void Render(ReadOnlySpan<QrRequest> requests, Span<byte[]> images)
    {
        using var generator = new QRCodeGenerator();
        for (var i = 0; i < requests.Length; i++)
        {
            using var data = generator.CreateQrCode(requests[i].Data, QRCodeGenerator.ECCLevel.M);
            images[i] = new PngByteQRCode(data).GetGraphic(requests[i].PixelsPerModule);
        }
    }
}
