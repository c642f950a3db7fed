using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Storefront.Tests.Diagnostics;

/// <summary>
/// Without an OTLP endpoint nobody reads spans, so no request pays for an Activity; error answers still quote a W3C
/// trace id (continuing the caller's traceparent), and the unhandled-exception log line carries the same one.
/// </summary>
[ServerFree]
public sealed class RequestTraceTests
{
    [Fact]
    public async Task Without_tracing_no_request_makes_an_activity()
    {
        var seen = new List<bool>();
        await using var factory = new SqliteStorefrontFactory();
        factory.WithServices(services => services.AddTransient<IStartupFilter>(_ => new ActivityProbe(seen)));
        using var client = factory.CreateClient();

        await (await client.GetAsync("/")).ShouldBeJsonAsync();
        await (await client.GetAsync("/items/1")).ShouldBeJsonAsync();

        Assert.Equal([false, false], seen);
    }

    [Fact]
    public async Task Without_tracing_an_error_quotes_the_callers_trace_id_or_a_fresh_one()
    {
        await using var factory = new SqliteStorefrontFactory();
        using var client = factory.CreateClient();
        const string caller = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var traced = new HttpRequestMessage(HttpMethod.Get, "/items/999999");
        traced.Headers.Add("traceparent", $"00-{caller}-00f067aa0ba902b7-01");

        var continued = await (await client.SendAsync(traced)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var fresh = await (await client.GetAsync("/items/999999")).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal(caller, continued.TraceId);
        var id = fresh.TraceId;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.NotEqual(caller, id);
    }

    [Fact]
    public async Task An_unhandled_error_logs_the_trace_id_its_answer_quotes()
    {
        var logs = new LogCapture();
        await using var factory = new SqliteStorefrontFactory();
        factory.WithServices(services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = factory.CreateClient();
        await (await client.GetAsync("/items/1")).ShouldBeJsonAsync();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(factory.StoragePath, "storefront.db")}"))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE items;";
            await drop.ExecuteNonQueryAsync();
        }

        var problem = await (await client.GetAsync("/items/1")).ShouldBeProblemAsync(HttpStatusCode.InternalServerError);

        var traceId = problem.TraceId;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(traceId, StringComparison.Ordinal));
    }

    /// <summary>Records, for each request, whether an Activity was current when the pipeline started.</summary>
    private sealed class ActivityProbe(List<bool> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate rest) =>
            {
                lock (seen) seen.Add(Activity.Current is not null);
                return rest(context);
            });
            next(app);
        };
    }
}
