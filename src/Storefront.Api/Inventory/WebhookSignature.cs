using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Storefront.Api.Inventory;

/// <summary>
/// <c>X-Signature-256: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>, as payment providers sign webhooks: the MAC is
/// HMAC-SHA256 with the shared secret over the ASCII of <c>t</c>, a dot, and the body's bytes. The time is inside the
/// MAC, so a captured delivery cannot be given a fresh time, and one outside the tolerance is refused. Several
/// <c>v1</c> entries are allowed (a sender rotating its secret signs with both); one match is enough.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-Signature-256";

    public enum Verdict
    {
        Valid,
        Malformed,
        Mismatch,
        OutsideTolerance,
    }

    public static Verdict Check(string header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now, int toleranceSeconds)
    {
        long? time = null;
        var candidates = new List<string>(1);
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0) return Verdict.Malformed;
            var (name, value) = (part[..separator], part[(separator + 1)..]);
            if (name == "t")
            {
                if (time is not null || value.Length is 0 or > 12
                    || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return Verdict.Malformed;
                time = seconds;
            }
            else if (name == "v1") candidates.Add(value);
            // Other schemes (a future v2) are ignored, as the providers' verifiers do.
        }
        if (time is not { } t || candidates.Count is 0 or > 4) return Verdict.Malformed;

        // Checked after the MAC, so a forger learns nothing about the clock from the answer.
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Expected(t, body, secret, expected);
        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var matched = false;
        foreach (var hex in candidates)
        {
            if (hex.Length != 2 * claimed.Length || Convert.FromHexString(hex, claimed, out _, out _) != OperationStatus.Done) continue;
            matched |= CryptographicOperations.FixedTimeEquals(claimed, expected);
        }
        if (!matched) return Verdict.Mismatch;
        return Math.Abs(now.ToUnixTimeSeconds() - t) <= toleranceSeconds ? Verdict.Valid : Verdict.OutsideTolerance;
    }

    /// <summary>The header a sender writes for <paramref name="body"/> at <paramref name="time"/> (tests and bench tools sign alike).</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret, long time)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Expected(time, body, secret, mac);
        return string.Create(CultureInfo.InvariantCulture, $"t={time},v1={Convert.ToHexStringLower(mac)}");
    }

    private static void Expected(long time, ReadOnlySpan<byte> body, string secret, Span<byte> mac)
    {
        var prefix = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{time}."));
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        hmac.GetHashAndReset(mac);
    }
}
