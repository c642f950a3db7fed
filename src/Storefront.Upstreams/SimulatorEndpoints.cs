using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Storefront.Upstreams;

public static class SimulatorEndpoints
{
    /// <summary>Maps the simulated services and, when asked, the small /_sim control surface used by tests and demos.</summary>
    public static IEndpointRouteBuilder MapSimulator(this IEndpointRouteBuilder app, bool controlRoutes)
    {
        app.MapGet("/pricing/{id:int}", (int id, SimulatorState state, HttpContext http) =>
            Simulate(state, "pricing", http, () => TypedResults.Ok(Payloads.Price(id))));
        app.MapGet("/inventory/{id:int}", (int id, SimulatorState state, HttpContext http) =>
            Simulate(state, "inventory", http, () => TypedResults.Ok(Payloads.Stock(id))));
        app.MapGet("/reco/{id:int}", (int id, SimulatorState state, HttpContext http) =>
            Simulate(state, "reco", http, () => TypedResults.Ok(Payloads.Reco(id))));
        app.MapGet("/weather/{city}", (string city, SimulatorState state, HttpContext http) =>
            Simulate(state, "weather", http, () => TypedResults.Ok(Payloads.Weather(city))));
        app.MapGet("/data/{source}", (string source, SimulatorState state, HttpContext http) =>
            Simulate(state, "data", http, () => TypedResults.Ok(Payloads.Data(source))));
        if (!controlRoutes) return app;

        var control = app.MapGroup("/_sim");
        control.MapGet("/routes", (SimulatorState state) => TypedResults.Ok(
            state.Behaviors.ToDictionary(p => p.Key, p => new RouteBehaviorBody(p.Value.LatencyMs, p.Value.JitterMs, p.Value.FailureRate))));
        control.MapPut("/routes/{route}", SetRoute);
        control.MapGet("/stats", (SimulatorState state) => TypedResults.Ok(
            state.AllStats.ToDictionary(p => p.Key, p => new RouteStatsBody(p.Value.Started, p.Value.Succeeded, p.Value.Failed, p.Value.Cancelled))));
        control.MapPost("/reset", (SimulatorState state) =>
        {
            state.Reset();
            return TypedResults.NoContent();
        });
        return app;
    }

    private static Results<Ok<RouteBehaviorBody>, NotFound<SimulatorErrorBody>, BadRequest<SimulatorErrorBody>> SetRoute(
        string route, RouteBehaviorBody body, SimulatorState state)
    {
        if (!RouteBehavior.Defaults.ContainsKey(route))
            return TypedResults.NotFound(new SimulatorErrorBody("about:blank", "Not Found", 404, $"No simulated route '{route}'."));
        var behavior = new RouteBehavior(body.LatencyMs, body.JitterMs, body.FailureRate);
        var problems = behavior.Validate().ToList();
        if (problems.Count > 0)
            return TypedResults.BadRequest(new SimulatorErrorBody("about:blank", "Bad Request", 400, string.Join(" ", problems)));
        state.Set(route, behavior);
        return TypedResults.Ok(body);
    }

    private static async Task<IResult> Simulate<T>(SimulatorState state, string route, HttpContext http, Func<Ok<T>> respond)
    {
        var behavior = state.Get(route);
        var stats = state.Stats(route);
        stats.OnStarted();
        var delay = behavior.LatencyMs + (behavior.JitterMs > 0 ? Random.Shared.Next(behavior.JitterMs + 1) : 0);
        try
        {
            if (delay > 0) await Task.Delay(delay, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller gave up (deadline or its own client left): this is what the cancellation tests look for.
            stats.OnCancelled();
            return TypedResults.Empty;
        }

        if (behavior.FailureRate > 0 && Random.Shared.NextDouble() < behavior.FailureRate)
        {
            stats.OnFailed();
            return TypedResults.Json(
                new SimulatorErrorBody("about:blank", "Simulated failure", 500, $"{route} failed on purpose."),
                SimulatorJsonContext.Default.SimulatorErrorBody, "application/problem+json", 500);
        }

        stats.OnSucceeded();
        return respond();
    }
}
