using System.Text;
using Storefront.Api.Files;

namespace Storefront.Tests.Files;

/// <summary>FileNames.Sanitize: what is left of a client's file name is one plain, showable segment of at most 255 UTF-8 bytes.</summary>
[ServerFree]
public sealed class FileNamesTests
{
    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("Résumé 2026.docx", "Résumé 2026.docx")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("/etc/passwd", "passwd")]
    [InlineData("..\\..\\x.txt", "x.txt")]
    [InlineData("C:\\Windows\\win.ini", "win.ini")]
    [InlineData("C:evil.txt", "evil.txt")]
    [InlineData("\\\\server\\share\\x", "x")]
    [InlineData("dir/", "upload")]
    [InlineData("evil.php\0.png", "evil.php.png")]
    [InlineData("a\r\nX-Injected: 1.txt", "aX-Injected_ 1.txt")]
    [InlineData("tab\there.txt", "tabhere.txt")]
    [InlineData("bell\u0007\u007F.txt", "bell.txt")]
    [InlineData("..\uFF0F..\uFF0Fetc\uFF0Fpasswd", "passwd")]
    [InlineData("C\uFF1A\uFF3Cx.txt", "x.txt")]
    [InlineData("\u2024\u2024/\u2024\u2024/x.txt", "x.txt")]
    [InlineData("x\u2024txt", "x.txt")]
    [InlineData("\u2025/\u2026", "upload")]
    [InlineData("..\u2215..\u2215x.txt", "x.txt")]
    [InlineData("..\u2216..\u2216x.txt", "x.txt")]
    [InlineData("invoice\u202Etxt.exe", "invoicetxt.exe")]
    [InlineData("\u2066name\u2069.txt", "name.txt")]
    [InlineData("\u200Bx\u200C\u200D.txt\uFEFF", "x.txt")]
    [InlineData("line\u2028break\u2029.txt", "linebreak.txt")]
    [InlineData("private\uE000.txt", "private.txt")]
    [InlineData("", "upload")]
    [InlineData(".", "upload")]
    [InlineData("..", "upload")]
    [InlineData("...", "upload")]
    [InlineData("   ", "upload")]
    [InlineData("\u200B", "upload")]
    [InlineData(" .hidden ", "hidden")]
    [InlineData("name. . ", "name")]
    [InlineData("a   b\u3000c.txt", "a b\u3000c.txt")]
    [InlineData("CON.txt", "_CON.txt")]
    [InlineData("con", "_con")]
    [InlineData("Nul.tar.gz", "_Nul.tar.gz")]
    [InlineData("LPT9.log", "_LPT9.log")]
    [InlineData("COM\u00B9.txt", "_COM\u00B9.txt")]
    [InlineData("lpt\u00B3", "_lpt\u00B3")]
    [InlineData("CONSOLE.txt", "CONSOLE.txt")]
    [InlineData("a<b>c:d\"e|f?g*h'i`j.txt", "a_b_c_d_e_f_g_h_i_j.txt")]
    [InlineData("file.txt:stream.exe", "file.txt_stream.exe")]
    [InlineData("=?utf-8?B?Li4vZXRj?=", "=_utf-8_B_Li4vZXRj_=")]
    public void Sanitize_keeps_one_harmless_segment(string name, string expected) => Assert.Equal(expected, FileNames.Sanitize(name));

    [Fact]
    public void A_missing_name_gets_the_default() => Assert.Equal(FileNames.Default, FileNames.Sanitize(null));

    [Fact]
    public void A_lone_surrogate_is_dropped() => Assert.Equal("lonesurrogate.txt", FileNames.Sanitize("lone\uD800surrogate\uDC00.txt"));

    [Theory]
    [InlineData("a", 1, ".txt")]            // 1 byte a character
    [InlineData("\u00E9", 2, ".txt")]       // é: 2 bytes
    [InlineData("\u65E5", 3, ".txt")]       // 日: 3 bytes
    [InlineData("\U0001F600", 4, ".png")]   // an emoji: 4 bytes, a surrogate pair
    public void A_long_name_is_cut_to_255_bytes_on_a_character_boundary_keeping_its_extension(string character, int bytesEach, string extension)
    {
        var name = string.Concat(Enumerable.Repeat(character, 300)) + extension;

        var kept = FileNames.Sanitize(name);

        Assert.EndsWith(extension, kept, StringComparison.Ordinal);
        var stem = kept[..^extension.Length];
        Assert.Equal(string.Concat(Enumerable.Repeat(character, (255 - extension.Length) / bytesEach)), stem);
        Assert.InRange(Encoding.UTF8.GetByteCount(kept), 255 - bytesEach + 1, 255);
        Assert.True(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(kept)) == kept, "no surrogate pair was split");
    }

    [Fact]
    public void A_long_name_without_a_short_extension_is_cut_to_255_bytes()
    {
        Assert.Equal(new string('a', 255), FileNames.Sanitize(new string('a', 300)));
        // An "extension" longer than 16 characters is part of the name, and is cut like the rest.
        Assert.Equal("a." + new string('b', 253), FileNames.Sanitize("a." + new string('b', 300)));
        // A cut that ends on dots does not leave them before the extension.
        Assert.Equal(new string('a', 250) + ".b", FileNames.Sanitize(new string('a', 250) + new string('.', 10) + "b"));
    }

    [Fact]
    public void A_name_of_exactly_255_bytes_is_kept_whole()
    {
        var name = new string('a', 251) + ".txt";
        Assert.Equal(name, FileNames.Sanitize(name));
    }
}
