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
internal sealed class InputCorpus(InputSamples samples, int seed = 20261130)
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
        var query = endpoint.Query.Where(field => field == changed || !(field.Optional && endpoint.Body != BodyKind.None)).Select(field =>
        {
            var value = Uri.EscapeDataString(samples.Text(endpoint, field));
            if (field != changed) return $"{field.Name}={value}";
            return repeat ? $"{field.Name}={value}&{field.Name}={value}" : $"{field.Name}={raw}";
        });
        var queryString = string.Join("&", query);
        return queryString.Length == 0 ? path : $"{path}?{queryString}";
    }

    // ---------------------------------------------------------------- JSON bodies

    private static IReadOnlyList<InputField> JsonFields(InputEndpoint endpoint) =>
        endpoint.BodyType == typeof(System.Text.Json.JsonElement) ? InputSamples.FreeFormFields : endpoint.BodyFields;

    private byte[] JsonBody(InputEndpoint endpoint, InputField? changed = null, byte[]? value = null, bool omit = false)
    {
        var body = new List<byte>();
        body.AddRange("{"u8.ToArray());
        var first = true;
        foreach (var field in JsonFields(endpoint))
        {
            if (field == changed && omit) continue;
            if (!first) body.AddRange(", "u8.ToArray());
            first = false;
            body.AddRange(Encoding.UTF8.GetBytes($"\"{field.Name}\": "));
            body.AddRange(field == changed ? value! : Encoding.UTF8.GetBytes(Json(endpoint, field)));
        }
        body.AddRange("}"u8.ToArray());
        return [.. body];
    }

    private string Json(InputEndpoint endpoint, InputField field) =>
        endpoint.BodyType == typeof(System.Text.Json.JsonElement) && field.Name == "count" ? "1" : samples.Json(endpoint, field);

    private IEnumerable<Probe> JsonProbes(InputEndpoint endpoint)
    {
        const string json = "application/json";
        var typed = endpoint.HasTypedJsonBody;
        foreach (var field in JsonFields(endpoint))
        {
            Probe Field(string label, byte[] value, Expect expect, string? offending = null) =>
                new(endpoint, $"json {field.Name}: {label}", Target(endpoint), JsonBody(endpoint, field, value), json, expect, offending);

            yield return new Probe(endpoint, $"json {field.Name}: missing", Target(endpoint), JsonBody(endpoint, field, omit: true), json, Expect.Any);
            yield return Field("null", "null"u8.ToArray(), Expect.Any);
            yield return Field("true", "true"u8.ToArray(), typed && field.Underlying != typeof(bool) ? Expect.Refused : Expect.Any);
            yield return Field("array", "[]"u8.ToArray(), typed ? Expect.Refused : Expect.Any);
            yield return Field("object", "{}"u8.ToArray(), typed ? Expect.Refused : Expect.Any);
            yield return Field("nested 100 deep", Encoding.ASCII.GetBytes(new string('[', 100) + new string(']', 100)), Expect.Refused);
            if (field.IsNumber)
            {
                yield return Field("number as a string", Encoding.ASCII.GetBytes($"\"{samples.Text(endpoint, field)}\""), typed ? Expect.Refused : Expect.Any);
                yield return Field("NaN as a string", "\"NaN\""u8.ToArray(), typed ? Expect.Refused : Expect.Any);
                yield return Field("bare Infinity", "Infinity"u8.ToArray(), Expect.Refused);
                yield return Field("hex", "0x10"u8.ToArray(), Expect.Refused);
                yield return Field("plus sign", "+1"u8.ToArray(), Expect.Refused);
                yield return Field("leading zero", "01"u8.ToArray(), Expect.Refused);
                yield return Field("1e400", "1e400"u8.ToArray(), Expect.Any);
                yield return Field("400 digits", Encoding.ASCII.GetBytes(new string('7', 400)), Expect.Any, new string('7', 400));
                yield return Field("negative", "-1"u8.ToArray(), Expect.Any);
                yield return Field("zero", "0"u8.ToArray(), Expect.Any);
                yield return Field("three decimals", "1.999"u8.ToArray(), Expect.Any);
                yield return Field("exponent", "1E2"u8.ToArray(), Expect.Any);
            }
            else
            {
                var longText = RandomLetters(10_000);
                yield return Field("NUL escaped", "\"a\\u0000b\""u8.ToArray(), Expect.Refused);
                yield return Field("lone high surrogate", "\"\\ud800\""u8.ToArray(), Expect.Refused);
                yield return Field("lone low surrogate", "\"x\\udc00y\""u8.ToArray(), Expect.Refused);
                yield return Field("surrogates reversed", "\"\\udc00\\ud800\""u8.ToArray(), Expect.Refused);
                yield return Field("invalid UTF-8", [(byte)'"', 0xFF, 0xFE, (byte)'"'], Expect.Refused);
                yield return Field("overlong UTF-8", [(byte)'"', 0xC0, 0xAF, (byte)'"'], Expect.Refused);
                yield return Field("UTF-8 of a surrogate", [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'], Expect.Refused);
                yield return Field("raw control character", [(byte)'"', (byte)'a', 0x01, (byte)'"'], Expect.Refused);
                yield return Field("raw NUL byte", [(byte)'"', (byte)'a', 0x00, (byte)'"'], Expect.Refused);
                yield return Field("a number", "123"u8.ToArray(), typed ? Expect.Refused : Expect.Any);
                yield return Field("emoji", "\"\\ud83d\\ude00 \u00e9\""u8.ToArray(), Expect.Any);
                yield return Field("right-to-left override", "\"\\u202eabc\""u8.ToArray(), Expect.Any);
                yield return Field("newline suffix", Encoding.UTF8.GetBytes($"\"{samples.Text(endpoint, field)}\\n\""), Expect.Any);
                yield return Field("long", Encoding.ASCII.GetBytes($"\"{longText}\""), Expect.Any, longText);
                for (var i = 0; i < 3; i++)
                    yield return Field($"random text #{i}", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(RandomText(1 + _random.Next(64)))), Expect.Any);
            }
        }

        var valid = JsonBody(endpoint);
        var longKey = RandomLetters(5000);
        Probe Whole(string label, byte[] body, Expect expect, string? contentType = json, string? offending = null) =>
            new(endpoint, $"json body: {label}", Target(endpoint), body, contentType, expect, offending);
        yield return Whole("empty", [], Expect.Refused);
        yield return Whole("null", "null"u8.ToArray(), Expect.Refused);
        yield return Whole("array", "[]"u8.ToArray(), Expect.Refused);
        yield return Whole("string", "\"text\""u8.ToArray(), Expect.Refused);
        yield return Whole("number", "123"u8.ToArray(), Expect.Refused);
        yield return Whole("truncated in the middle", valid[..(valid.Length / 2)], Expect.Refused);
        yield return Whole("missing closing brace", valid[..^1], Expect.Refused);
        yield return Whole("trailing garbage", [.. valid, .. "x"u8], Expect.Refused);
        yield return Whole("two objects", [.. valid, .. valid], Expect.Refused);
        yield return Whole("comment", [.. "/* c */"u8, .. valid], Expect.Refused);
        yield return Whole("trailing comma", [.. valid[..^1], .. ",}"u8], Expect.Refused);
        yield return Whole("single quotes", "{'name': 'x'}"u8.ToArray(), Expect.Refused);
        yield return Whole("nested 5000 deep", Encoding.ASCII.GetBytes(new string('[', 5000) + new string(']', 5000)), Expect.Refused);
        yield return Whole("byte order mark", [0xEF, 0xBB, 0xBF, .. valid], Expect.Any);
        yield return Whole("unknown member", [.. valid[..^1], .. ", \"zz_unknown\": 1}"u8], Expect.Any);
        yield return Whole("unknown member, invalid UTF-8", [.. valid[..^1], .. ", \"zz\": \""u8, 0xFF, .. "\"}"u8], Expect.Any);
        yield return Whole("long unknown member name", [.. valid[..^1], .. Encoding.ASCII.GetBytes($", \"{longKey}\": ")], Expect.Refused, offending: longKey);
        yield return Whole("over every size limit", Encoding.ASCII.GetBytes($"{{\"padding\": \"{new string('x', TooLargeBytes)}\"}}"), Expect.TooLarge);
        yield return Whole("text/plain", valid, Expect.Refused, "text/plain");
        yield return Whole("no content type", valid, Expect.Refused, null);
        yield return Whole("unknown charset", valid, Expect.Refused, "application/json; charset=no-such-charset");
        yield return Whole("UTF-16 declared and sent", Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(valid)), Expect.Any, "application/json; charset=utf-16");
        yield return Whole("UTF-16 declared, odd bytes", [0x7B, 0x00, 0x00, 0xD8, 0x7D], Expect.Refused, "application/json; charset=utf-16");
    }

    // ---------------------------------------------------------------- form bodies

    private byte[] FormBody(InputEndpoint endpoint, InputField? changed = null, string? raw = null, bool omit = false) =>
        Encoding.ASCII.GetBytes(string.Join("&", endpoint.BodyFields
            .Where(field => !(field == changed && omit))
            .Select(field => $"{field.Name}={(field == changed ? raw : Uri.EscapeDataString(samples.Text(endpoint, field)))}")));

    private IEnumerable<Probe> FormProbes(InputEndpoint endpoint)
    {
        const string form = "application/x-www-form-urlencoded";
        foreach (var field in endpoint.BodyFields)
        {
            Probe Field(string label, string raw, Expect expect, string? offending = null) =>
                new(endpoint, $"form {field.Name}: {label}", Target(endpoint), FormBody(endpoint, field, raw), form, expect, offending);
            var longText = RandomLetters(10_000);
            yield return new Probe(endpoint, $"form {field.Name}: missing", Target(endpoint), FormBody(endpoint, field, omit: true), form, Expect.Any);
            yield return Field("empty", "", Expect.Any);
            yield return Field("NUL", "a%00b", Expect.Refused);
            yield return Field("invalid UTF-8", "%FF%FE", Expect.Any);
            yield return Field("bad escape", "%ZZ", Expect.Any);
            yield return Field("long", longText, Expect.Any, longText);
        }

        var valid = FormBody(endpoint);
        Probe Whole(string label, byte[] body, Expect expect, string? contentType = form, string? offending = null) =>
            new(endpoint, $"form body: {label}", Target(endpoint), body, contentType, expect, offending);
        var longKey = RandomLetters(3000);
        yield return Whole("empty", [], Expect.Any);
        yield return Whole("2,000 fields", [.. valid, .. Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"&k{i}=v")))], Expect.Refused);
        yield return Whole("3,000-character name", [.. valid, .. Encoding.ASCII.GetBytes($"&{longKey}=v")], Expect.Refused, offending: longKey);
        yield return Whole("over every size limit", [.. valid, .. Encoding.ASCII.GetBytes($"&padding={new string('x', TooLargeBytes)}")], Expect.TooLarge);
        yield return Whole("multipart without boundary", valid, Expect.Refused, "multipart/form-data");
        yield return Whole("multipart garbage", "--b\r\nnot a part\r\n"u8.ToArray(), Expect.Refused, "multipart/form-data; boundary=b");
        // The multipart reader, unlike the urlencoded one, lets NUL through: the endpoint must refuse it itself.
        var parts = string.Concat(endpoint.BodyFields.Select((field, i) =>
            $"--b\r\nContent-Disposition: form-data; name=\"{field.Name}\"\r\n\r\n{(i == 0 ? "a\0b" : samples.Text(endpoint, field))}\r\n"));
        yield return Whole("multipart with NUL", Encoding.UTF8.GetBytes(parts + "--b--\r\n"), Expect.Refused, "multipart/form-data; boundary=b");
        yield return Whole("JSON instead", "{\"username\": \"x\"}"u8.ToArray(), Expect.Refused, "application/json");
        yield return Whole("unknown charset", valid, Expect.Any, $"{form}; charset=no-such-charset");
    }

    // ---------------------------------------------------------------- chunked transfer encoding

    private IEnumerable<Probe> MalformedChunks(InputEndpoint endpoint)
    {
        var valid = BaselineBody(endpoint)!;
        var five = Encoding.ASCII.GetString(valid[..5]);
        var chunks = new (string Label, string Body)[]
        {
            ("chunk size overflows", $"fffffffffffffffffffffff\r\n{five}\r\n0\r\n\r\n"),
            ("chunk size not hex", $"zz\r\n{five}\r\n0\r\n\r\n"),
            ("negative chunk size", $"-5\r\n{five}\r\n0\r\n\r\n"),
            ("chunk without its CRLF", $"5\r\n{five}XX0\r\n\r\n"),
            ("valid chunk then garbage size", $"5\r\n{five}\r\nqq\r\n0\r\n\r\n"),
        };
        foreach (var (label, body) in chunks)
            yield return new Probe(endpoint, $"chunked: {label}", Target(endpoint), Encoding.ASCII.GetBytes(body), BodyContentType(endpoint),
                Expect.Refused, Chunked: true);
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
