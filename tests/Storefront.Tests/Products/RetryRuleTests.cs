using Polly.CircuitBreaker;
using Storefront.Api.Upstreams;

namespace Storefront.Tests.Products;

/// <summary>
/// The retry's rule on its own: which failed attempts get a second one. Every upstream call Storefront makes is a GET,
/// so the method rule (a POST is never sent twice) can only be seen here.
/// </summary>
[ServerFree]
public sealed class RetryRuleTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(1000), Pause = TimeSpan.FromMilliseconds(60);

    private static bool Retries(HttpMethod method, Exception failure, int elapsedMs = 10) =>
        UpstreamPipeline.ShouldRetry(method, failure, TimeSpan.FromMilliseconds(elapsedMs), Pause, Deadline);

    private static HttpRequestException Status(HttpStatusCode status) => new("failed", null, status);

    [Fact]
    public void A_GET_that_failed_transiently_is_retried()
    {
        Assert.True(Retries(HttpMethod.Get, Status(HttpStatusCode.InternalServerError)));
        Assert.True(Retries(HttpMethod.Get, Status(HttpStatusCode.BadGateway)));
        Assert.True(Retries(HttpMethod.Get, Status(HttpStatusCode.RequestTimeout)));
        Assert.True(Retries(HttpMethod.Get, new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void A_call_that_is_not_safe_to_send_twice_is_never_retried(string method)
    {
        Assert.False(Retries(new HttpMethod(method), Status(HttpStatusCode.InternalServerError)));
        Assert.False(Retries(new HttpMethod(method), new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
    }

    [Fact]
    public void Failures_another_try_would_not_fix_are_not_retried()
    {
        Assert.False(Retries(HttpMethod.Get, Status(HttpStatusCode.NotFound)));
        Assert.False(Retries(HttpMethod.Get, Status(HttpStatusCode.TooManyRequests))); // The source asked for less traffic.
        Assert.False(Retries(HttpMethod.Get, new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "too large")));
        Assert.False(Retries(HttpMethod.Get, new JsonException("not JSON")));
        Assert.False(Retries(HttpMethod.Get, new TimeoutException()));
        Assert.False(Retries(HttpMethod.Get, new BrokenCircuitException()));
    }

    [Theory]
    [InlineData(400, true)] // 400, the longest pause (60), another 400: 860 fits in 1000.
    [InlineData(470, true)]
    [InlineData(471, false)] // Another attempt as long would end past the deadline.
    [InlineData(900, false)]
    public void A_retry_is_made_only_when_what_is_left_of_the_deadline_can_hold_it(int elapsedMs, bool retried) =>
        Assert.Equal(retried, Retries(HttpMethod.Get, Status(HttpStatusCode.ServiceUnavailable), elapsedMs));
}
