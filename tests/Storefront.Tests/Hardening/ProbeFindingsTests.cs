using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Storefront.Tests.Files;

namespace Storefront.Tests.Hardening;

/// <summary>
/// What a bad-input probe of ~5,500 requests still found, one class of request per test: parser
/// exceptions as 500s, a client leaving mid-body logged as a server error, text/plain errors for some Accept headers,
/// an echoed 6,000-character path, a JWT with an unknown critical header accepted.
/// </summary>
public sealed class ProbeFindingsTests : IClassFixture<ProbeFindingsTests.Host>, IDisposable
{
    public sealed class Host : SqliteStorefrontFactory
    {
        internal LogCapture Logs { get; } = new();

        /// <summary>Each request's path and final status, as the outermost middleware saw it end (500 when it threw through).</summary>
        internal System.Collections.Concurrent.ConcurrentQueue<(string Path, int Status)> Statuses { get; } = new();

        internal System.Collections.Concurrent.ConcurrentQueue<string> Started { get; } = new();

        public Host()
        {
            With("Inventory:WebhookSecret", InventoryEvents.Secret);
            WithServices(services =>
            {
                services.AddSingleton<ILoggerProvider>(Logs);
                services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new StatusRecorder(Started, Statuses));
            });
        }
    }

    private sealed class StatusRecorder(
        System.Collections.Concurrent.ConcurrentQueue<string> started, System.Collections.Concurrent.ConcurrentQueue<(string Path, int Status)> statuses)
        : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                started.Enqueue(context.Request.Path);
                try
                {
                    await inner(context);
                    statuses.Enqueue((context.Request.Path, context.Response.StatusCode));
                }
                catch
                {
                    statuses.Enqueue((context.Request.Path, 500));
                    throw;
                }
            });
            next(app);
        };
    }

    private readonly Host _host;
    private readonly HttpClient _client;

    public ProbeFindingsTests(Host host)
    {
        _host = host;
        _client = host.CreateClient();
    }

    public void Dispose() => _client.Dispose();

    public static TheoryData<string> Utf7Names => new() { "utf-7", "UTF-7", "unicode-1-1-utf-7", "csUnicode11UTF7", "unicode-2-0-utf-7" };

    [Theory]
    [MemberData(nameof(Utf7Names))]
    public async Task A_utf7_filename_star_in_a_login_form_is_a_400_not_a_500(string charset)
    {
        var body = Uploads.Body($"Content-Disposition: form-data; name=\"username\"; filename*={charset}''a+AGE-b", "x"u8);
        var response = await _client.PostAsync("/token", Uploads.Content(body));
        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(Utf7Names))]
    public async Task A_utf7_filename_star_in_an_upload_is_a_400_not_a_500(string charset)
    {
        using var client = await _host.CreateAuthenticatedClientAsync();
        var body = Uploads.Body(Uploads.FilePart($"filename*={charset}''a+AGE-b.txt"), "hello"u8);
        await (await Uploads.PostAsync(client, body)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_client_that_resets_mid_body_is_not_a_server_error_nor_a_stack_in_the_log()
    {
        // A host of its own: its /metrics counts these two requests alone on their routes.
        await using var host = new Host();
        using var probe = host.CreateClient();
        using var client = await host.CreateAuthenticatedClientAsync();
        var server = client.BaseAddress!;
        var heads = new[]
        {
            Uploads.Head(client, "Content-Length: 1000000\r\n\r\n"),
            $"POST /inventory/events HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\n" +
                $"{InventoryEvents.SignatureHeader}: sha256=00\r\nContent-Length: 200000\r\n\r\n", // Under the endpoint's 256 KB.
        };
        foreach (var head in heads)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server.Host, server.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes(head));
            await socket.SendAsync(head.Contains("/upload", StringComparison.Ordinal)
                ? Uploads.Body(Uploads.FilePart("filename=\"a.bin\""), new byte[20_000], closed: false)
                : Encoding.ASCII.GetBytes("[" + new string(' ', 20_000)));
            // Reset only once the server is in the request: a reset discards what was not yet sent, the head included.
            var path = head.Contains("/upload", StringComparison.Ordinal) ? "/upload" : "/inventory/events";
            await Eventually.TrueAsync(() => host.Started.Contains(path), TimeSpan.FromSeconds(30), $"{path} reached the server");
            socket.LingerState = new LingerOption(true, 0); // Close with a reset, as a client that dies does.
            socket.Close();
        }

        // Both requests have ended when the outermost middleware has seen them end: the status it saw is what the
        // hosting layer's metrics count (http.server.request.duration's status code).
        var ended = await Eventually.ValueAsync(() => Task.FromResult(string.Join(", ", host.Statuses.Select(e => $"{e.Status} {e.Path}"))),
            seen => seen.Contains(" /upload", StringComparison.Ordinal) && seen.Contains(" /inventory/events", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "both reset requests ended");
        Assert.DoesNotMatch(@"5\d\d /(upload|inventory)", ended);
        var loud = host.Logs.Entries.Where(e => e.Level >= LogLevel.Warning && e.Exception is not null).ToList();
        Assert.True(loud.Count == 0, "Logged with a stack:\n" + string.Join("\n", loud));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("text/plain")]
    public async Task Framework_401_404_and_405_are_problem_details_whatever_the_accept_header(string accept)
    {
        foreach (var (method, path, status) in new[]
                 {
                     (HttpMethod.Get, "/users/me", HttpStatusCode.Unauthorized),
                     (HttpMethod.Get, "/no-such-route", HttpStatusCode.NotFound),
                     (HttpMethod.Delete, "/", HttpStatusCode.MethodNotAllowed),
                 })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            await (await _client.SendAsync(request)).ShouldBeProblemAsync(status);
        }
    }

    [Fact]
    public async Task A_404_for_a_very_long_path_does_not_echo_all_of_it()
    {
        var path = "/" + new string('a', 6000);
        var problem = await (await _client.GetAsync(path)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        Assert.InRange(problem.Detail.Length, 1, 400);
    }

    [Fact]
    public async Task A_token_with_an_unknown_critical_header_is_refused()
    {
        var id = await TestAccounts.RegisterAsync(_client, TestAccounts.NewUsername(), $"{Guid.NewGuid():N}@example.com");
        var descriptor = TestAccounts.Descriptor(new Claim("sub", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var plain = new JsonWebTokenHandler().CreateToken(descriptor);
        descriptor.AdditionalHeaderClaims = new Dictionary<string, object> { ["crit"] = new[] { "exp-ext" }, ["exp-ext"] = true };
        var critical = new JsonWebTokenHandler().CreateToken(descriptor);

        await (await MeAsync(plain)).ShouldBeJsonAsync(); // The same token without crit is fine.
        await (await MeAsync(critical)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> MeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _client.SendAsync(request);
    }
}
