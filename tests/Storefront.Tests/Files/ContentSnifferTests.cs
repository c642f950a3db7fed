using System.Text;
using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>ContentSniffer: a file's type from its first bytes, never from what the client declared.</summary>
[ServerFree]
public sealed class ContentSnifferTests
{
    private static readonly string[] KnownTypes =
    [
        "application/gzip", "application/octet-stream", "application/pdf", "application/zip", "audio/mpeg", "image/bmp", "image/gif",
        "image/jpeg", "image/png", "image/webp", "text/plain", "video/mp4",
    ];

    [Theory]
    [InlineData("89 50 4E 47 0D 0A 1A 0A 00 00 00 0D", "image/png", ".png")]
    [InlineData("FF D8 FF E0 00 10", "image/jpeg", ".jpg")]
    [InlineData("47 49 46 38 37 61 01 00", "image/gif", ".gif")]            // GIF87a
    [InlineData("47 49 46 38 39 61 01 00", "image/gif", ".gif")]            // GIF89a
    [InlineData("52 49 46 46 24 00 00 00 57 45 42 50 56 50", "image/webp", ".webp")] // RIFF, a length, WEBP
    [InlineData("42 4D 36 00 00 00", "image/bmp", ".bmp")]                  // BM
    [InlineData("25 50 44 46 2D 31 2E 37", "application/pdf", ".pdf")]      // %PDF-1.7
    [InlineData("50 4B 03 04 14 00", "application/zip", ".zip")]
    [InlineData("50 4B 05 06 00 00", "application/zip", ".zip")]            // an empty archive
    [InlineData("1F 8B 08 00 00 00", "application/gzip", ".gz")]
    [InlineData("00 00 00 18 66 74 79 70 6D 70 34 32", "video/mp4", ".mp4")] // a box length, then ftyp
    [InlineData("49 44 33 04 00 00", "audio/mpeg", ".mp3")]                 // ID3
    public void A_known_signature_decides_the_type(string hex, string contentType, string extension)
    {
        var bytes = Bytes(hex);
        Assert.Equal(new SniffedType(contentType, extension), ContentSniffer.Sniff(bytes, complete: true));
        // The same start in a longer file: the prefix is all the sniffer sees.
        var longer = bytes.Concat(new byte[ContentSniffer.PrefixLength - bytes.Length]).ToArray();
        Assert.Equal(new SniffedType(contentType, extension), ContentSniffer.Sniff(longer, complete: false));
    }

    [Theory]
    [InlineData("52 49 46 46 24 00 00 00 57 41 56 45 66 6D")]  // RIFF but WAVE: not an image
    [InlineData("00 00 00 00 00 00 00 00 57 45 42 50")]        // WEBP without RIFF
    [InlineData("89 50 4E 47 0D 0A 1A")]                      // a PNG signature cut short
    [InlineData("FF D8")]
    [InlineData("00 01 02 03")]
    [InlineData("FF FE 68 00 69 00")]                         // UTF-16 text: not UTF-8, so not text/plain
    [InlineData("68 C3 28 69")]                               // invalid UTF-8
    [InlineData("68 65 6C 6C 6F 01")]                         // a control character
    [InlineData("68 65 6C 6C 6F 7F")]                         // DEL
    [InlineData("68 65 00 6C 6F")]                            // NUL
    public void Anything_else_that_is_not_text_is_an_octet_stream(string hex) =>
        Assert.Equal(new SniffedType("application/octet-stream", ".bin"), ContentSniffer.Sniff(Bytes(hex), complete: true));

    [Fact]
    public void An_empty_file_is_an_octet_stream() =>
        Assert.Equal(new SniffedType("application/octet-stream", ".bin"), ContentSniffer.Sniff([], complete: true));

    [Theory]
    [InlineData("hello, world\n")]
    [InlineData("tabs\tcarriage returns\r\nand form feeds\f")]
    [InlineData("caf\u00E9 \u65E5\u672C \U0001F600")]
    [InlineData("<html><script>alert(1)</script></html>")]  // served as text/plain, attachment and nosniff: never run
    public void Valid_utf8_without_control_characters_is_text(string text) =>
        Assert.Equal(new SniffedType("text/plain", ".txt"), ContentSniffer.Sniff(Encoding.UTF8.GetBytes(text), complete: true));

    [Theory]
    [InlineData("\u00E9", 1)]      // 2-byte character, 1 byte of it in the prefix
    [InlineData("\u20AC", 1)]      // 3-byte character
    [InlineData("\u20AC", 2)]
    [InlineData("\U0001F600", 1)]  // 4-byte character
    [InlineData("\U0001F600", 3)]
    public void A_prefix_that_ends_inside_a_character_is_still_text_but_a_whole_file_that_does_is_not(string character, int bytesKept)
    {
        var cut = Encoding.UTF8.GetBytes(character)[..bytesKept];
        var prefix = Encoding.ASCII.GetBytes(new string('a', ContentSniffer.PrefixLength - bytesKept)).Concat(cut).ToArray();
        Assert.Equal(ContentSniffer.PrefixLength, prefix.Length);

        // More of the file follows: the cut character is completed there.
        Assert.Equal("text/plain", ContentSniffer.Sniff(prefix, complete: false).ContentType);
        // The whole file: it ends inside a character, so it is not valid UTF-8.
        Assert.Equal("application/octet-stream", ContentSniffer.Sniff(prefix, complete: true).ContentType);
    }

    [Fact]
    public void Known_lists_every_type_it_can_answer()
    {
        Assert.Equal(KnownTypes, ContentSniffer.Known.Order(StringComparer.Ordinal));
    }

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
