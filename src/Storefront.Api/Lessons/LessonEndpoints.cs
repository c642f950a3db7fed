using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Storefront.Api.Http;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

/// <summary>
/// The concurrency lessons (docs/seeds.md). Every wait here is an awaited timer or socket: no thread is held,
/// so ten thousand concurrent /slow calls cost memory for their state machines and nothing else.
/// </summary>
public static class LessonEndpoints
{
    public const double MaxSlowSeconds = 30;

    private static readonly MessageResponse Hello = new("Hello World");

    public static RouteGroupBuilder MapLessons(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Lessons");
        group.MapGet("/", () => JsonOk.Of(Hello)).WithSummary("Hello World");
        group.MapGet("/slow", Slow).WithValidation().WithSummary("Wait without holding a thread");
        group.MapGet("/multi", Multi).WithSummary("Two waits (3 s and 2 s) at once: about 3 s in all");
        group.MapGet("/weather", Weather).WithRequestDeadline().ProducesProblem(StatusCodes.Status502BadGateway).WithSummary("All configured weather sources, concurrently");
        group.MapGet("/multi-fetch", MultiFetch).WithRequestDeadline().ProducesProblem(StatusCodes.Status502BadGateway).WithSummary("Sources A and B, concurrently");
        return group;
    }

    public const double DefaultSlowSeconds = 3;

    // The range is checked here rather than by an IValidatable argument: the validation filter's layer (arguments
    // boxed, the handler awaited through ValueTask<object>) stays in memory with every waiting request, ~300 bytes of
    // each of ten thousand (docs/benchmarks-notes.md). The raw text ("abc") is still checked by WithValidation's rules.
    private static async Task<Results<JsonOk<SlowResponse>, ValidationProblem>> Slow(
        [FromQuery(Name = "seconds")] double? requested, CancellationToken cancellationToken)
    {
        if (requested is { } r && !(double.IsFinite(r) && r is >= 0 and <= MaxSlowSeconds))
            return ValidationExtensions.Invalid(new() { ["seconds"] = [$"Must be between 0 and {MaxSlowSeconds}."] });
        var seconds = requested ?? DefaultSlowSeconds;
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        return JsonOk.Of(new SlowResponse($"Completed after {seconds.ToString(CultureInfo.InvariantCulture)} seconds"));
    }

    private static async Task<JsonOk<MultiResponse>> Multi(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Task.Delay(3000, cancellationToken), Task.Delay(2000, cancellationToken));
        return JsonOk.Of(new MultiResponse("Both tasks done!", (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds));
    }

    /// <summary>
    /// An array, one entry per source in configured order: a source's body, or, where it failed, a
    /// <see cref="FailedSource"/> naming it with its status (the vocabulary of /product's sources).
    /// </summary>
    private static async Task<Results<JsonOk<RawJson[]>, ProblemHttpResult>> Weather(
        LessonUpstreams upstreams, HttpContext context, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(upstreams.Weather.Select(s => s.FetchAsync(null, cancellationToken)));
        if (NoneAnswered(results) is { } failure) return failure.ToProblem(context);
        return JsonOk.Of(Array.ConvertAll(results, r => r.Body ?? Failed(r)));
    }

    private static RawJson Failed(SourceResult result)
    {
        var report = result.ToReport();
        return new RawJson(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new FailedSource(result.Source, report.Status, report.Ms, report.Detail), LessonsJsonContext.Default.FailedSource));
    }

    private static async Task<Results<JsonOk<MultiFetchResponse>, ProblemHttpResult>> MultiFetch(
        LessonUpstreams upstreams, HttpContext context, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(
            upstreams.MultiFetchA.FetchAsync(null, cancellationToken),
            upstreams.MultiFetchB.FetchAsync(null, cancellationToken));
        if (NoneAnswered(results) is { } failure) return failure.ToProblem(context);
        var (a, b) = (results[0], results[1]);
        return JsonOk.Of(new MultiFetchResponse(a.Body, b.Body, a.Succeeded && b.Succeeded,
            new MultiFetchSources(a.ToReport(), b.ToReport())));
    }

    /// <summary>
    /// Each source is reported in its place, and a failed one leaves a null there. Only when no source
    /// answered is there nothing to show: then the first failure is the answer (502, 504, or 503 while its circuit is open).
    /// </summary>
    private static SourceResult? NoneAnswered(SourceResult[] results) =>
        results.Any(r => r.Succeeded) ? null : results[0];
}
