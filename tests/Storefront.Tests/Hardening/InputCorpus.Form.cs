using System.Text;

namespace Storefront.Tests.Hardening;

/// <summary>The corpus rows for form bodies, and for chunked framing on every endpoint that takes a body.</summary>
internal sealed partial class InputCorpus
{
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
}
