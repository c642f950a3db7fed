using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Storefront.Api.Catalog;

/// <summary>
/// Where a keyset page ends: the last item's sort key and id, bound to the query it came from (sort, q and price range)
/// so it cannot be replayed against another. Opaque to clients: base64url of a versioned binary form with a checksum.
/// The checksum is not a secret (every instance must read every other's cursors without sharing a key): it turns a
/// mangled or edited cursor into a 400 instead of a page from somewhere else. Forging a valid one gains nothing: it
/// only starts a page at a key of the client's choosing, which <c>min_price</c> or <c>sort</c> already allow.
/// </summary>
public sealed record ItemCursor(ItemSort Sort, int Id, decimal Price, string? Name)
{
    private const byte Version = 1;
    private const int FingerprintLength = 8;
    private const int ChecksumLength = 8;
    private const int HeaderLength = 2 + FingerprintLength + 4; // version, sort, fingerprint, id
    private const int MaxNameBytes = CatalogItem.NameMaxLength * 4;

    private static readonly byte[] ChecksumKey = "storefront/items-cursor/v1"u8.ToArray();

    public static ItemCursor After(ItemSort sort, ItemResponse last) => new(sort, last.Id, last.Price, sort == ItemSort.Name ? last.Name : null);

    public string Write(ItemListQuery query)
    {
        var name = Name is null ? [] : Encoding.UTF8.GetBytes(Name);
        var keyLength = Sort switch { ItemSort.Price or ItemSort.PriceDescending => 16, ItemSort.Name => name.Length, _ => 0 };
        var bytes = new byte[HeaderLength + keyLength + ChecksumLength];
        bytes[0] = Version;
        bytes[1] = (byte)Sort;
        Fingerprint(query, bytes.AsSpan(2, FingerprintLength));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2 + FingerprintLength), Id);
        var key = bytes.AsSpan(HeaderLength, keyLength);
        if (Sort is ItemSort.Price or ItemSort.PriceDescending) decimal.GetBits(Price, MemoryMarshalInts(key));
        else if (Sort == ItemSort.Name) name.CopyTo(key);
        Checksum(bytes.AsSpan(0, bytes.Length - ChecksumLength), bytes.AsSpan(bytes.Length - ChecksumLength));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor for this query, or says why it cannot be used (the message is for the client).</summary>
    public static bool TryRead(string text, ItemListQuery query, out ItemCursor? cursor, out string problem)
    {
        cursor = null;
        problem = "Not a cursor from this service: use the `next` of a previous page.";
        if (text.Length is 0 or > (HeaderLength + 16 + MaxNameBytes + ChecksumLength) * 4 / 3 + 4) return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }
        if (bytes.Length < HeaderLength + ChecksumLength || bytes[0] != Version) return false;
        Span<byte> expected = stackalloc byte[ChecksumLength];
        Checksum(bytes.AsSpan(0, bytes.Length - ChecksumLength), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(bytes.Length - ChecksumLength))) return false;

        var sort = (ItemSort)bytes[1];
        Span<byte> fingerprint = stackalloc byte[FingerprintLength];
        Fingerprint(query, fingerprint);
        if (sort != query.SortOrder || !fingerprint.SequenceEqual(bytes.AsSpan(2, FingerprintLength)))
        {
            problem = "This cursor belongs to another query (sort, q or price range changed): start again without after.";
            return false;
        }
        var id = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(2 + FingerprintLength));
        var key = bytes.AsSpan(HeaderLength, bytes.Length - HeaderLength - ChecksumLength);
        try
        {
            cursor = sort switch
            {
                ItemSort.Id when key.IsEmpty => new ItemCursor(sort, id, 0m, null),
                ItemSort.Price or ItemSort.PriceDescending when key.Length == 16 => new ItemCursor(sort, id, new decimal(ReadInts(key)), null),
                ItemSort.Name => new ItemCursor(sort, id, 0m, new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(key)),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is ArgumentException or DecoderFallbackException)
        {
            cursor = null;
        }
        return cursor is not null;
    }

    // The query a cursor belongs to, apart from its sort (stored whole): q and the price range, in one short hash.
    private static void Fingerprint(ItemListQuery query, Span<byte> destination)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{query.Search}\n{query.MinPrice}\n{query.MaxPrice}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        hash[..destination.Length].CopyTo(destination);
    }

    private static void Checksum(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(ChecksumKey, data, mac);
        mac[..destination.Length].CopyTo(destination);
    }

    private static Span<int> MemoryMarshalInts(Span<byte> bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes);

    private static int[] ReadInts(ReadOnlySpan<byte> bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).ToArray();
}
