using QRCoder;

namespace Storefront.Api.Inference;

/// <summary>What to encode and how large each module (dot) is drawn.</summary>
public readonly record struct QrRequest(string Data, int PixelsPerModule);

/// <summary>
/// The seed's QR exercise: QRCoder is synchronous and CPU-heavy for large payloads, so it runs on its own
/// CPU runner, never on a request thread.
/// </summary>
public static class QrCodes
{
    public const int MaxDataLength = 1000;
    public const int MinSize = 1;
    public const int MaxSize = 40;
    public const int DefaultSize = 10;

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
