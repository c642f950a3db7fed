using System.Buffers.Binary;
using System.Net;

namespace Storefront.UploadLoad;

/// <summary>
/// A file's bytes made while they are sent: one shared random block, repeated up to the length. No upload holds its
/// file, so 50 uploads of 20 MB in flight cost the client the one block. The first 8 bytes are the block's XOR the
/// upload's number, so no two files have the same hash and every one still looks random (a server sniffing the first
/// bytes sees no known type).
/// </summary>
internal sealed class GeneratedFile(ReadOnlyMemory<byte> block, long length, long number) : HttpContent
{
    public const int BlockBytes = 1 << 20;

    public static byte[] RandomBlock(int seed)
    {
        var block = new byte[BlockBytes];
        new Random(seed).NextBytes(block);
        return block;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var head = block[..8].ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(head, BinaryPrimitives.ReadInt64LittleEndian(head) ^ number);
        var sent = Math.Min(head.Length, length);
        await stream.WriteAsync(head.AsMemory(0, (int)sent), cancellationToken);
        var offset = (int)sent;
        while (sent < length)
        {
            var piece = (int)Math.Min(block.Length - offset, length - sent);
            await stream.WriteAsync(block.Slice(offset, piece), cancellationToken);
            sent += piece;
            offset = (offset + piece) % block.Length;
        }
    }

    // A known length: the multipart body gets a Content-Length, as a browser's or curl's upload does.
    protected override bool TryComputeLength(out long computed)
    {
        computed = length;
        return true;
    }
}
