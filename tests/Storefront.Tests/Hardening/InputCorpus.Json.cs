using System.Text;

namespace Storefront.Tests.Hardening;

/// <summary>The corpus rows for JSON bodies: each field broken in turn, then the body as a whole.</summary>
internal sealed partial class InputCorpus
{
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
}
