using System.Text;

namespace Storefront.Tests.Hardening;

/// <summary>What a corpus request must get, beyond "never a 5xx, and every 4xx is clean Problem Details".</summary>
internal enum Expect
{
    /// <summary>Any answer below 500.</summary>
    Any,

    /// <summary>A 4xx: the input is malformed, mistyped or not allowed (NUL, invalid UTF-8, "1,000" as a number...).</summary>
    Refused,

    /// <summary>413: the body is over every limit.</summary>
    TooLarge,
}

/// <summary>One corpus request. <see cref="Offending"/> is the client's value that must not be echoed back at length.</summary>
internal sealed record Probe(
    InputEndpoint Endpoint, string Label, string Target, byte[]? Body, string? ContentType, Expect Expect,
    string? Offending = null, bool Anonymous = false, bool Chunked = false, bool ServerMayRefuse = false)
{
    public override string ToString() => $"{Endpoint.Method} {Target.Split('?')[0]} [{Label}]{(Anonymous ? " (no token)" : "")}";
}

/// <summary>
/// The generated corpus: for every input of every endpoint, malformed, oversized, mistyped, wrongly encoded and
/// truncated variants, each changing one thing in an otherwise valid request. Table-driven, plus a few seeded-random
/// garbage values per input (fixed seed: every run sends the same requests).
/// </summary>
internal sealed partial class InputCorpus(InputSamples samples, int seed = 20261130)
{
    private const int TooLargeBytes = 2 << 20;

    private readonly Random _random = new(seed);

    public IEnumerable<Probe> For(InputEndpoint endpoint)
    {
        yield return Baseline(endpoint);
        foreach (var field in endpoint.Path)
            foreach (var (label, raw, expect, offending) in UrlValues(field, inPath: true))
                yield return new Probe(endpoint, $"path {field.Name}: {label}", Target(endpoint, field, raw, repeat: false), BaselineBody(endpoint),
                    BodyContentType(endpoint), expect, offending, ServerMayRefuse: raw.Contains("%00", StringComparison.Ordinal));
        foreach (var field in endpoint.Query)
        {
            foreach (var (label, raw, expect, offending) in UrlValues(field, inPath: false))
                yield return new Probe(endpoint, $"query {field.Name}: {label}", Target(endpoint, field, raw, repeat: false), BaselineBody(endpoint),
                    BodyContentType(endpoint), expect, offending);
            yield return new Probe(endpoint, $"query {field.Name}: sent twice", Target(endpoint, field, null, repeat: true), BaselineBody(endpoint),
                BodyContentType(endpoint), Expect.Refused);
        }
        var bodyProbes = endpoint.Body switch
        {
            BodyKind.Json => JsonProbes(endpoint),
            BodyKind.Form => FormProbes(endpoint),
            _ => [],
        };
        foreach (var probe in bodyProbes) yield return probe;
        if (endpoint.Body != BodyKind.None)
            foreach (var probe in MalformedChunks(endpoint)) yield return probe;
        if (endpoint.RequiresUser)
        {
            yield return Baseline(endpoint) with { Anonymous = true, Expect = Expect.Refused };
            var longValue = RandomLetters(5000);
            yield return Baseline(endpoint) with { Label = "long value", Anonymous = true, Expect = Expect.Refused, Offending = longValue,
                Target = endpoint.Query.Count > 0 ? Target(endpoint, endpoint.Query[0], longValue, repeat: false) : Target(endpoint) };
        }
    }

    public Probe Baseline(InputEndpoint endpoint) =>
        new(endpoint, "baseline", Target(endpoint), BaselineBody(endpoint), BodyContentType(endpoint), Expect.Any);

    // ---------------------------------------------------------------- path and query

    private IEnumerable<(string Label, string Raw, Expect Expect, string? Offending)> UrlValues(InputField field, bool inPath)
    {
        if (field.IsNumber)
        {
            var strictlyRefused = new (string, string)[]
            {
                ("letters", "abc"), ("thousands separator", "1,000"), ("decimal comma", "0,5"), ("leading space", "%201"),
                ("trailing space", "1%20"), ("plus sign", "%2B1"), ("exponent", "1e1"), ("hex", "0x10"), ("NaN", "NaN"),
                ("Infinity", "Infinity"), ("fullwidth digit", "%EF%BC%91"), ("newline", "1%0A"), ("NUL", "1%00"),
                ("leading dot", ".5"), ("trailing dot", "5."), ("too many digits", new string('9', 400)),
            };
            foreach (var (label, raw) in strictlyRefused) yield return (label, raw, Expect.Refused, raw.Length > 40 ? raw : null);
            if (field.IsInteger) yield return ("fraction", "1.5", Expect.Refused, null);
            else yield return ("fraction", "0.5", Expect.Any, null);
            yield return ("negative", "-1", Expect.Any, null);
            yield return ("zero", "0", Expect.Any, null);
            yield return ("leading zeros", "000", Expect.Any, null);
            yield return ("empty", "", Expect.Any, null);
            yield break;
        }

        var longText = RandomLetters(inPath ? 2000 : 4000);
        yield return ("NUL inside", "a%00b", Expect.Refused, null);
        yield return ("only NUL", "%00", Expect.Refused, null);
        yield return ("invalid UTF-8", "%FF%FE", Expect.Any, null);
        yield return ("UTF-8 of a surrogate", "%ED%A0%80", Expect.Any, null);
        yield return ("overlong UTF-8", "%C0%AF", Expect.Any, null);
        yield return ("emoji", "%F0%9F%98%80", Expect.Any, null);
        yield return ("right-to-left override", "%E2%80%AEabc", Expect.Any, null);
        yield return ("newline suffix", "abc%0A", Expect.Any, null);
        yield return ("control characters", "a%01%1Fb", Expect.Any, null);
        yield return ("long", longText, Expect.Any, longText);
        yield return ("path traversal", "..%2F..%2Fetc%2Fpasswd", Expect.Any, null);
        yield return ("markup", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", Expect.Any, null);
        yield return ("SQL", "'%20OR%20'1'%3D'1", Expect.Any, null);
        yield return ("lone percent", "%25", Expect.Any, null);
        yield return ("bad escape", "%ZZ", Expect.Any, null);
        if (!inPath) yield return ("empty", "", Expect.Any, null);
        for (var i = 0; i < 5; i++)
            yield return ($"random bytes #{i}", Uri.EscapeDataString(Encoding.Latin1.GetString(RandomBytes(1 + _random.Next(48)))).Replace("%00", "", StringComparison.Ordinal),
                Expect.Any, null);
    }

    private string Target(InputEndpoint endpoint, InputField? changed = null, string? raw = null, bool repeat = false)
    {
        var path = endpoint.Route;
        foreach (var field in endpoint.Path)
            path = path.Replace($"{{{field.Name}}}", field == changed ? raw : Uri.EscapeDataString(samples.Text(endpoint, field)), StringComparison.OrdinalIgnoreCase);
        // An optional query value beside a body is an alternative to it (/predict's ?text=): sent only when it is the one under test.
        var query = endpoint.Query.Where(field => field == changed
            || !(field.Optional && endpoint.Body != BodyKind.None) && !InputSamples.SentOnlyUnderTest(field)).Select(field =>
        {
            var value = Uri.EscapeDataString(samples.Text(endpoint, field));
            if (field != changed) return $"{field.Name}={value}";
            return repeat ? $"{field.Name}={value}&{field.Name}={value}" : $"{field.Name}={raw}";
        });
        var queryString = string.Join("&", query);
        return queryString.Length == 0 ? path : $"{path}?{queryString}";
    }

    private byte[]? BaselineBody(InputEndpoint endpoint) => endpoint.Body switch
    {
        BodyKind.Json => JsonBody(endpoint),
        BodyKind.Form => FormBody(endpoint),
        _ => null,
    };

    private static string? BodyContentType(InputEndpoint endpoint) => endpoint.Body switch
    {
        BodyKind.Json => "application/json",
        BodyKind.Form => "application/x-www-form-urlencoded",
        _ => null,
    };

    // ---------------------------------------------------------------- seeded randomness

    private string RandomLetters(int length) =>
        string.Create(length, _random, static (span, random) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + random.Next(26));
        });

    private string RandomText(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            // Mostly printable, some controls and non-ASCII; never NUL, never a lone surrogate (those have their own rows).
            var c = (char)(_random.Next(10) switch { 0 => _random.Next(1, 32), 1 => _random.Next(0x80, 0x800), 2 => _random.Next(0x3000, 0xD000), _ => _random.Next(32, 127) });
            builder.Append(c);
        }
        return builder.ToString();
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
