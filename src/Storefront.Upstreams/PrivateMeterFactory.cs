using System.Diagnostics.Metrics;

namespace Storefront.Upstreams;

/// <summary>
/// Embedded, the simulator shares its process with the service, whose OpenTelemetry listens to ASP.NET Core's
/// meters by name, whichever host created them. Renamed meters keep the simulator's requests out of the service's
/// request figures (its upstream calls are measured on the client side, as for any real upstream).
/// </summary>
internal sealed class PrivateMeterFactory : IMeterFactory
{
    private const string Prefix = "Simulator.";

    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(Prefix + options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters) _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(meter => meter.Dispose());
            _meters.Clear();
        }
    }
}
