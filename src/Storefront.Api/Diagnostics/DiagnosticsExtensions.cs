using Storefront.Api.Http;

namespace Storefront.Api.Diagnostics;

public static class DiagnosticsExtensions
{
    /// <summary>
    /// Maps GET /_diagnostics/block, which blocks a thread-pool thread on purpose, only when
    /// Diagnostics__BlockingProbeEnabled is true (tests and demos of the blocking detector). Never in production.
    /// </summary>
    public const string BlockingProbeSetting = "Diagnostics:BlockingProbeEnabled";

    public static WebApplicationBuilder AddDiagnostics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<InFlightRequests>();
        builder.Services.AddValidatedOptions<BlockingDetectorOptions>(BlockingDetectorOptions.Section);
        builder.Services.AddValidatedOptions<OverloadOptions>(OverloadOptions.Section);
        builder.Services.AddSingleton<OverloadLimit>();
        builder.Services.AddHostedService<DatabaseQueueProbe>();
        builder.Services.AddSingleton<BlockingDetector>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BlockingDetector>());
        return builder;
    }

    public static WebApplication UseDiagnostics(this WebApplication app)
    {
        // Early: an excess request is refused before anything is spent on it (but after the exception handler and the
        // response headers, so the 503 is Problem Details like any other answer).
        app.UseMiddleware<InFlightRequestsMiddleware>();
        return app;
    }

    public static IEndpointRouteBuilder MapDiagnostics(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>(BlockingProbeSetting))
            app.MapGet("/_diagnostics/block", BlockOnPurpose).WithValidation().ExcludeFromDescription();
        return app;
    }

    // Deliberately the anti-pattern the detector exists to catch: a synchronous sleep on a request thread.
    private static Results<JsonOk<string>, ValidationProblem> BlockOnPurpose([AsParameters] BlockQuery query)
    {
        var ms = query.Ms ?? 1000;
        Thread.Sleep(ms);
        return JsonOk.Of($"blocked a thread-pool thread for {ms} ms");
    }
}

/// <summary><c>?ms=</c> of the blocking probe (1000 by default).</summary>
public sealed record BlockQuery(int? Ms) : IValidatable
{
    public Dictionary<string, string[]>? Validate() =>
        new ValidationErrors().Check(Ms is null or (>= 1 and <= 10_000), "ms", "Must be between 1 and 10000.").ToDictionary();
}
