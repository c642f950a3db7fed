using System.Text;
using Microsoft.AspNetCore.Http;
using Storefront.Api.Http;
using Storefront.Api.Inference;

namespace Storefront.Tests.Hardening;

/// <summary>
/// Limits that belong to the framework and the libraries under it (the form reader, Kestrel's chunked parser, the JSON
/// writer, QRCoder) answer as client errors, 400/413/415 Problem Details, never as 500s.
/// </summary>
[ServerFree]
public sealed class LibraryLimitTests(SqliteStorefrontFactory factory) : ClientTests<SqliteStorefrontFactory>(factory), IClassFixture<SqliteStorefrontFactory>
{
    public static TheoryData<string, string> FormsOverTheReadersLimits => new()
    {
        { "2,000 fields", "username=a&password=b&" + string.Join("&", Enumerable.Range(0, 2000).Select(i => $"k{i}=v")) },
        { "a 3,000-character field name", $"username=a&password=b&{new string('k', 3000)}=v" },
        { "a NUL in a value", "username=a%00b&password=a+long+enough+passphrase" },
    };

    [Theory]
    [MemberData(nameof(FormsOverTheReadersLimits))]
    public async Task Token_forms_over_the_form_readers_limits_are_400_problems(string label, string form)
    {
        using var content = new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded");
        var problem = await (await Client.PostAsync("/token", content)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        Assert.DoesNotContain(new string('k', 41), problem.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(label);
    }

    public static TheoryData<string, string> MalformedChunkSizes => new()
    {
        { "POST /log", "fffffffffffffffffffffff" }, // overflows: Kestrel throws a plain IOException
        { "POST /token", "fffffffffffffffffffffff" },
        { "POST /register", "fffffffffffffffffffffff" },
        { "POST /log", "zz" },
        { "POST /token", "zz" },
    };

    [Theory]
    [MemberData(nameof(MalformedChunkSizes))]
    public async Task Malformed_chunk_sizes_are_400_problems(string endpoint, string chunkSize)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var contentType = path == "/token" ? "application/x-www-form-urlencoded" : "application/json";
        var response = await RawHttp.SendAsync(Client.BaseAddress!,
            $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked",
            Encoding.ASCII.GetBytes($"{chunkSize}\r\n{{}}\r\n0\r\n\r\n"));
        Assert.True(response.Status == 400, $"{endpoint} with chunk size '{chunkSize}': {response.Status} {response.Body}");
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a": "\ud800"}""")]
    [InlineData("""{"a": ["x\udc00y"]}""")]
    [InlineData("""{"\udc00\ud800": 1}""")]
    [InlineData("""{"a": "\u0000"}""")]
    public async Task Log_entries_that_could_not_be_written_out_again_are_400(string body)
    {
        await (await Client.PostJsonTextAsync("/log", body)).ShouldBeValidationProblemAsync("body");
    }

    [Fact]
    public async Task Log_entries_with_invalid_utf8_are_400()
    {
        using var content = new ByteArrayContent([.. "{\"a\": \""u8, 0xFF, 0xFE, .. "\"}"u8]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await (await Client.PostAsync("/log", content)).ShouldBeValidationProblemAsync("body");
    }

    [Fact]
    public async Task Qr_capacity_is_counted_in_encoded_bytes_like_the_library_counts_it()
    {
        // 777 CJK characters are 2,331 bytes in UTF-8, the most a code holds at level M; one more does not fit,
        // though it is far below the 1,000-character limit.
        var largest = await Client.GetAsync("/qr?size=1&data=" + Uri.EscapeDataString(new string('中', 777)));
        Assert.Equal(HttpStatusCode.OK, largest.StatusCode);
        await (await Client.GetAsync("/qr?size=1&data=" + Uri.EscapeDataString(new string('中', 778)))).ShouldBeValidationProblemAsync("data");
        // Latin-1 text is encoded one byte per character: 1,000 of them always fit.
        var latin = await Client.GetAsync("/qr?size=1&data=" + Uri.EscapeDataString(new string('é', QrCodes.MaxDataLength)));
        Assert.Equal(HttpStatusCode.OK, latin.StatusCode);
    }

    [Fact]
    public async Task A_json_charset_the_server_does_not_know_is_a_415_problem()
    {
        using var client = await Factory.CreateStaffClientAsync();
        using var content = new ByteArrayContent("""{"name": "Lamp", "price": 5}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=no-such-charset");
        await (await client.PostAsync("/items", content)).ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    public static TheoryData<string, Exception, int> LibraryExceptions => new()
    {
        { "form limits", new InvalidDataException("Form value count limit 1024 exceeded."), 400 },
        { "JSON", new System.Text.Json.JsonException("'x' is invalid", "$.name", 0, 3), 400 },
        { "text decoding", new DecoderFallbackException("Unable to translate bytes [FF]"), 400 },
        { "body too large", new BadHttpRequestException("Request body too large.", 413), 413 },
        { "binding, wrapped", new BadHttpRequestException("Failed to read parameter \"ItemRequest request\" from the request body as form.", 400,
            new InvalidDataException("Form key length limit 2048 exceeded.")), 400 },
        { "binding, missing body", new BadHttpRequestException("Implicit body inferred for parameter \"request\" but no body was provided. Did you mean to use a Service instead?", 400), 400 },
        { "binding, value with a newline", new BadHttpRequestException("Failed to bind parameter \"int ItemId\" from \"12\nx\".", 400), 400 },
    };

    [Theory]
    [MemberData(nameof(LibraryExceptions))]
    public async Task The_exception_handler_answers_library_failures_as_client_errors(string label, Exception exception, int status)
    {
        var handler = ActivatorUtilities.CreateInstance<ApiExceptionHandler>(Factory.Services);
        var context = new DefaultHttpContext { RequestServices = Factory.Services };
        context.Response.Body = new MemoryStream();
        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None), label);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        var body = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        foreach (var leak in new[] { "ItemRequest", "ItemId", "request\"", "Exception", "limit 1024", "[FF]" })
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
    }
}
