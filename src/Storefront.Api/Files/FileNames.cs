using System.Globalization;
using System.Text;

namespace Storefront.Api.Files;

/// <summary>
/// The client's file name, made harmless to keep and to show: it is only ever metadata (the server names the stored
/// file), but it comes back in Content-Disposition and in listings, where a path, a control character or a
/// look-alike separator would mislead a user or a client that saves it.
/// </summary>
public static class FileNames
{
    public const string Default = "upload";

    /// <summary>Longest name kept, in UTF-8 bytes: what common file systems allow for one name.</summary>
    public const int MaxBytes = 255;

    // Windows refuses these as a name's stem whatever the extension ("CON.txt"); a user saving the download there would
    // fail. (Its superscript-digit forms, "COM¹", are already "COM1" after normalisation.)
    private static readonly HashSet<string> ReservedStems = new(
        ["CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$",
         .. Enumerable.Range(0, 10).Select(i => $"COM{i}"), .. Enumerable.Range(0, 10).Select(i => $"LPT{i}")],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>The last path segment of <paramref name="name"/>, without anything a file system or a terminal would act on.</summary>
    public static string Sanitize(string? name)
    {
        if (string.IsNullOrEmpty(name)) return Default;
        // Look-alikes first, so that a full-width solidus or a one-dot leader is seen as the "/" or "." it mimics.
        var text = FoldLookalikes(name);

        // Only the last segment: "../../etc/passwd", "C:\\Windows\\x.ini" and "\\\\server\\share\\x" all end in a plain name.
        var cut = text.AsSpan().LastIndexOfAny('/', '\\');
        var segment = cut >= 0 ? text.AsSpan(cut + 1) : text.AsSpan();
        if (segment.Length >= 2 && char.IsAsciiLetter(segment[0]) && segment[1] == ':') segment = segment[2..]; // "C:name"

        var kept = new StringBuilder(segment.Length);
        foreach (var rune in segment.EnumerateRunes())
        {
            if (IsDropped(rune)) continue;
            kept.Append(IsReplaced(rune) ? "_" : rune.ToString());
        }

        // Spaces collapse; dots and spaces at either end go ("..", " .hidden", "name. " are not names to keep).
        var cleaned = string.Join(' ', kept.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)).Trim('.', ' ');
        if (cleaned.Length == 0) return Default;
        if (ReservedStems.Contains(Stem(cleaned))) cleaned = "_" + cleaned;
        return Shorten(cleaned);
    }

    /// <summary>
    /// Full-width ASCII (U+FF01–FF5E) and the other characters that stand for a separator or a dot become the ASCII
    /// they mimic: Windows' "best fit" conversion and NFKC turn them into real ones for a client that saves the file.
    /// (The service runs with invariant globalization, where string.Normalize does nothing, so the folding is explicit.)
    /// A lone surrogate cannot be stored in PostgreSQL's text: it goes here too.
    /// </summary>
    private static string FoldLookalikes(string name)
    {
        var folded = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length;)
        {
            var status = Rune.DecodeFromUtf16(name.AsSpan(i), out var rune, out var used);
            i += used;
            if (status != System.Buffers.OperationStatus.Done) continue;
            switch (rune.Value)
            {
                case >= 0xFF01 and <= 0xFF5E: folded.Append((char)(rune.Value - 0xFF01 + '!')); break;
                case 0x2215 or 0x2044 or 0x29F8 or 0x2571 or 0x1735: folded.Append('/'); break; // division, fraction, big solidus...
                case 0x2216 or 0x29F5 or 0x29F9 or 0xFE68: folded.Append('\\'); break;        // set minus, reverse solidi
                case 0x2024 or 0xFE52 or 0x3002 or 0xFF61: folded.Append('.'); break;           // one-dot leader, small/ideographic full stops
                case 0x2025: folded.Append(".."); break;
                case 0x2026: folded.Append("..."); break;
                default: folded.Append(rune.ToString()); break;
            }
        }
        return folded.ToString();
    }

    /// <summary>Control and format characters (NUL, CR/LF, bidi overrides, zero-width marks) and unassigned ones.</summary>
    private static bool IsDropped(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    /// <summary>Characters Windows refuses in names, and quotes that break naive header or shell quoting.</summary>
    private static bool IsReplaced(Rune rune) => rune.Value is '<' or '>' or ':' or '"' or '|' or '?' or '*' or '\'' or '`';

    private static string Stem(string name) => name.IndexOf('.') is var dot and > 0 ? name[..dot].TrimEnd(' ') : name;

    /// <summary>Cut to <see cref="MaxBytes"/> UTF-8 bytes on a character boundary, keeping a short extension.</summary>
    private static string Shorten(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxBytes) return name;
        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var budget = MaxBytes - Encoding.UTF8.GetByteCount(extension);
        var stem = new StringBuilder();
        var used = 0;
        foreach (var rune in name[..(name.Length - extension.Length)].EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget) break;
            stem.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }
        var shortened = stem.ToString().TrimEnd('.', ' ') + extension;
        return shortened.Trim('.', ' ') is { Length: > 0 } kept ? kept : Default;
    }
}
