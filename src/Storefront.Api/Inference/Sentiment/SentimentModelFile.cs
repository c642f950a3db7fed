using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Storefront.Api.Inference.Sentiment;

/// <summary>
/// The model file, version 1, little-endian:
/// <code>
///  0  8  magic "SFSENTIM"
///  8  2  format version (1)
/// 10  6  hash bits, max word n-gram, min char n-gram, max char n-gram, negation scope, flags (bit 0: sublinear tf)
/// 16  8  bias (float64)
/// 24  4  n, the number of non-zero weights
/// 28  …  n × (bucket gap as unsigned LEB128: first bucket + 1, then the distance to the previous; weight float32)
/// end 32 SHA-256 of every byte before it
/// </code>
/// The featurizer's settings travel with the weights; the tokenizer and hash themselves are fixed by the version,
/// so a change to either must bump it and older readers refuse the file instead of mis-scoring.
/// </summary>
internal static class SentimentModelFile
{
    public const ushort Version = 1;
    private const int HeaderLength = 28;
    private const int ChecksumLength = SHA256.HashSizeInBytes;
    private static ReadOnlySpan<byte> Magic => "SFSENTIM"u8;

    // 2^24 buckets (the largest allowed) at 9 bytes each, plus the framing: anything longer is not a model.
    private const int MaxFileLength = HeaderLength + ((1 << 24) * 9) + ChecksumLength;

    public static void Write(SentimentModel model, Stream stream)
    {
        var settings = model.Settings;
        var weights = model.Weights;
        var buffer = new ArrayBufferWriter<byte>(HeaderLength + (model.NonZeroWeights * 6) + ChecksumLength);
        var header = buffer.GetSpan(HeaderLength);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], Version);
        header[10] = (byte)settings.HashBits;
        header[11] = (byte)settings.MaxWordNgram;
        header[12] = (byte)settings.MinCharNgram;
        header[13] = (byte)settings.MaxCharNgram;
        header[14] = (byte)settings.NegationScope;
        header[15] = (byte)(settings.SublinearTf ? 1 : 0);
        BinaryPrimitives.WriteDoubleLittleEndian(header[16..], model.Bias);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], model.NonZeroWeights);
        buffer.Advance(HeaderLength);

        var previous = -1;
        for (var bucket = 0; bucket < weights.Length; bucket++)
        {
            if (weights[bucket] == 0) continue;
            var entry = buffer.GetSpan(9);
            var written = WriteLeb128(entry, (uint)(bucket - previous));
            BinaryPrimitives.WriteSingleLittleEndian(entry[written..], weights[bucket]);
            buffer.Advance(written + 4);
            previous = bucket;
        }
        SHA256.HashData(buffer.WrittenSpan, buffer.GetSpan(ChecksumLength));
        buffer.Advance(ChecksumLength);
        stream.Write(buffer.WrittenSpan);
    }

    public static SentimentModel Read(Stream stream)
    {
        var file = ReadAll(stream);
        if (file.Length < Magic.Length || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Invalid("it does not start with the sentiment model header (wrong file?)");
        if (file.Length < HeaderLength + ChecksumLength) throw Invalid($"it is truncated ({file.Length} bytes)");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8));
        if (version != Version) throw Invalid($"format version {version} is not supported (this build reads version {Version}); retrain the model");

        var body = file.AsSpan(0, file.Length - ChecksumLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(file.AsSpan(body.Length)))
            throw Invalid("its checksum does not match: the file is corrupt or truncated");

        var settings = new FeaturizerSettings(
            HashBits: body[10], MaxWordNgram: body[11], MinCharNgram: body[12], MaxCharNgram: body[13],
            NegationScope: body[14], SublinearTf: (body[15] & 1) != 0);
        try
        {
            settings.Validate();
        }
        catch (ArgumentException ex)
        {
            throw Invalid($"its featurizer settings are not supported: {ex.Message}");
        }
        var bias = BinaryPrimitives.ReadDoubleLittleEndian(body[16..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(body[24..]);
        if (count < 0 || count > settings.Dimension) throw Invalid($"it claims {count} weights for {settings.Dimension} buckets");

        var weights = new float[settings.Dimension];
        var position = HeaderLength;
        var bucket = -1L;
        for (var i = 0; i < count; i++)
        {
            bucket += ReadLeb128(body, ref position);
            if (bucket >= weights.Length || position + 4 > body.Length) throw Invalid("its weights run past the end of the table");
            var weight = BinaryPrimitives.ReadSingleLittleEndian(body[position..]);
            if (!float.IsFinite(weight)) throw Invalid($"bucket {bucket} has a non-finite weight");
            weights[bucket] = weight;
            position += 4;
        }
        if (position != body.Length) throw Invalid("there are bytes after the last weight");
        if (!double.IsFinite(bias)) throw Invalid("its bias is not finite");
        return new SentimentModel(settings, weights, bias);
    }

    private static byte[] ReadAll(Stream stream)
    {
        if (stream.CanSeek && stream.Length - stream.Position > MaxFileLength) throw Invalid("it is far larger than any sentiment model");
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (copy.Length + read > MaxFileLength) throw Invalid("it is far larger than any sentiment model");
            copy.Write(chunk, 0, read);
        }
        return copy.ToArray();
    }

    private static int WriteLeb128(Span<byte> destination, uint value)
    {
        var i = 0;
        for (; value >= 0x80; value >>= 7) destination[i++] = (byte)(value | 0x80);
        destination[i++] = (byte)value;
        return i;
    }

    private static uint ReadLeb128(ReadOnlySpan<byte> source, ref int position)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= source.Length) break;
            var b = source[position++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80) return value == 0 ? throw Invalid("two weights share a bucket") : value;
        }
        throw Invalid("a bucket index is malformed");
    }

    private static InvalidDataException Invalid(string reason) => new($"Not a usable sentiment model: {reason}.");
}
