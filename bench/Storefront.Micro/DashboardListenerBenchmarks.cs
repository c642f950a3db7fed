using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Storefront.Api.Dashboard;

namespace Storefront.Micro;

/// <summary>
/// What one request's duration measurement costs with the dashboard watched and not: the same instrument, name and
/// tags as ASP.NET Core's <c>http.server.request.duration</c>, recorded with a second listener always on (as the
/// OpenTelemetry exporter is in the service), so the difference between the two benchmarks is the dashboard's.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class DashboardListenerBenchmarks
{
    private static readonly object Status200 = 200;

    private ServiceProvider _services = null!;
    private MeterListener _exporter = null!;
    private DashboardMeters _dashboard = null!;
    private Histogram<double> _duration = null!;
    private double _seconds = 0.0003;

    [Params("none", "noop", "dashboard")]
    public string Watched { get; set; } = "";
    private MeterListener? _second;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = _services.GetRequiredService<IMeterFactory>();
        _duration = meters.Create("Microsoft.AspNetCore.Hosting").CreateHistogram<double>("http.server.request.duration", "s");
        _exporter = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument) };
        _exporter.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _exporter.Start();
        _dashboard = new DashboardMeters(meters);
        if (Watched == "dashboard") _dashboard.Start(System.Diagnostics.Stopwatch.GetTimestamp());
        if (Watched == "noop")
        {
            _second = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument, "x") };
            _second.SetMeasurementEventCallback<double>(static (_, _, _, state) => { if (state is null) throw new InvalidOperationException(); });
            _second.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _dashboard.Dispose();
        _exporter.Dispose();
        _services.Dispose();
    }

    [Benchmark]
    public void RecordRequest()
    {
        // Vary the duration a little, as real requests do, so the histogram is not one hot bucket.
        _seconds = _seconds > 0.0009 ? 0.0003 : _seconds * 1.07;
        _duration.Record(_seconds,
            new KeyValuePair<string, object?>("http.request.method", "GET"),
            new KeyValuePair<string, object?>("url.scheme", "http"),
            new KeyValuePair<string, object?>("network.protocol.version", "1.1"),
            new KeyValuePair<string, object?>("http.route", "/"),
            new KeyValuePair<string, object?>("http.response.status_code", Status200));
    }
}
