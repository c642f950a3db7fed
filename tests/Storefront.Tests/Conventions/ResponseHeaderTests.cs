using Storefront.Api.Catalog;

namespace Storefront.Tests.Conventions;

/// <summary>X-Content-Type-Options: nosniff on every response, whoever wrote it: endpoints, the framework, the exception handler.</summary>
[ServerFree]
public sealed class ResponseHeaderTests(SqliteStorefrontFactory factory) : IClassFixture<SqliteStorefrontFactory>, IDisposable
{
    private readonly HttpClient _client = CreateNonRedirectingClient(factory);

    public void Dispose() => _client.Dispose();

    public static TheoryData<string, string, HttpStatusCode> Requests => new()
    {
        { "GET", "/", HttpStatusCode.OK },
        { "GET", "/no/such/route", HttpStatusCode.NotFound },
        { "DELETE", "/", HttpStatusCode.MethodNotAllowed },
        { "GET", "/items/abc", HttpStatusCode.BadRequest }, // a binding failure, worded by the exception handler
        { "GET", "/items/0", HttpStatusCode.BadRequest }, // the handler's own check
        { "GET", "/users/me", HttpStatusCode.Unauthorized },
        { "GET", "/metrics", HttpStatusCode.OK },
        { "GET", "/health/live", HttpStatusCode.OK },
        { "GET", "/health/ready", HttpStatusCode.OK },
        { "GET", "/openapi/v1.json", HttpStatusCode.OK },
        { "GET", "/docs/index.html", HttpStatusCode.OK },
        { "GET", "/docs", HttpStatusCode.MovedPermanently },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Every_response_says_nosniff_errors_included(string method, string path, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await _client.SendAsync(request);
        Assert.Equal(status, response.StatusCode);
        response.ShouldSayNoSniff();
        response.ShouldHaveProcessTime();
    }

    // X-Process-Time is formatted from whole microseconds: the same text as TotalSeconds.ToString("F6") (but for exact
    // half-microsecond ties, which F6 rounds by the double's binary value and this rounds up).
    [Theory]
    [InlineData(0L)]
    [InlineData(4L)]
    [InlineData(6L)]
    [InlineData(9L)]
    [InlineData(1_234_567L)]
    [InlineData(9_999_996L)]
    [InlineData(12_345_678_901L)]
    public void Process_time_reads_like_F6(long ticks)
    {
        var elapsed = TimeSpan.FromTicks(ticks);
        Assert.Equal(elapsed.TotalSeconds.ToString("F6", System.Globalization.CultureInfo.InvariantCulture),
            Storefront.Api.Http.ResponseHeadersMiddleware.Seconds(elapsed));
    }

    [Fact]
    public async Task A_500_written_by_the_exception_handler_says_nosniff()
    {
        await using var failing = new SqliteStorefrontFactory();
        failing.WithServices(services => services.AddScoped<IItemReader, FailingItemReader>());
        using var client = failing.CreateClient();

        var response = await client.GetAsync("/items/1");
        await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError);
        response.ShouldSayNoSniff();
    }

    // Redirects are answers too: /docs's 301 is checked, not the page it points at.
    private static HttpClient CreateNonRedirectingClient(SqliteStorefrontFactory factory)
    {
        using var first = factory.CreateClient(); // Starts the server: its address is the real socket's.
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = first.BaseAddress };
    }

    private sealed class FailingItemReader : IItemReader
    {
        public Task<StoredItem?> FindAsync(int id, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the item store is broken");
    }
}
