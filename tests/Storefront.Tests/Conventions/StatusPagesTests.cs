using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Storefront.Api.Http;

namespace Storefront.Tests.Conventions;

/// <summary>
/// The body of errors answered without one (<see cref="StatusPagesMiddleware"/>), the framework's status-code pages
/// without what they keep for every waiting request. Unknown routes and 405s through the whole pipeline: ConventionTests.
/// </summary>
[ServerFree]
public sealed class StatusPagesTests(SqliteStorefrontFactory factory) : ClientTests<SqliteStorefrontFactory>(factory), IClassFixture<SqliteStorefrontFactory>
{
    [Fact]
    public async Task Error_without_a_body_gets_a_problem_also_after_a_wait()
    {
        var context = NewContext();
        await Pipeline(async c => { await Task.Yield(); c.Response.StatusCode = StatusCodes.Status504GatewayTimeout; }).InvokeAsync(context);

        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Contains("\"status\":504", Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Success_an_answer_with_a_body_and_an_endpoint_that_skips_status_pages_are_left_alone()
    {
        var ok = NewContext();
        await Pipeline(_ => Task.CompletedTask).InvokeAsync(ok);
        Assert.Empty(Body(ok));

        var withBody = NewContext();
        await Pipeline(c => { c.Response.StatusCode = 409; c.Response.ContentType = "text/plain"; return Task.CompletedTask; }).InvokeAsync(withBody);
        Assert.Empty(Body(withBody));

        var skipped = NewContext();
        skipped.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new Microsoft.AspNetCore.Mvc.SkipStatusCodePagesAttribute()), "skips"));
        await Pipeline(c => { c.Response.StatusCode = 404; return Task.CompletedTask; }).InvokeAsync(skipped);
        Assert.Empty(Body(skipped));
        Assert.Null(skipped.Response.ContentType);
    }

    [Fact]
    public async Task A_waiting_request_holds_no_items_or_status_pages_feature()
    {
        var context = NewContext();
        var waiting = new TaskCompletionSource();
        var answered = Pipeline(_ => waiting.Task).InvokeAsync(context);

        Assert.Null(context.Features.Get<IItemsFeature>());
        Assert.Null(context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>());
        waiting.SetResult();
        await answered;
    }

    private StatusPagesMiddleware Pipeline(RequestDelegate next) =>
        ActivatorUtilities.CreateInstance<StatusPagesMiddleware>(Factory.Services, next);

    private DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext { RequestServices = Factory.Services };
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
