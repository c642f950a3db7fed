using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;

namespace Storefront.Api.Upstreams;

/// <summary>
/// The circuit of every registered source (<c>AddUpstreamSource</c>), known from startup so /metrics and /health/ready
/// list them before the first call, and the one clock their pipelines run on (the host's <see cref="TimeProvider"/>).
/// </summary>
public sealed class UpstreamCircuits
{
    private readonly Dictionary<string, SourceCircuit> _byName;

    public UpstreamCircuits(IEnumerable<UpstreamSourceName> names, TimeProvider clock, IMeterFactory meters, ILogger<SourceCircuit> logger)
    {
        Clock = clock;
        _byName = names.Select(n => n.Name).Distinct(StringComparer.Ordinal)
            .ToDictionary(name => name, name => new SourceCircuit(name, clock, logger), StringComparer.Ordinal);
        meters.Create(UpstreamMetrics.MeterName).CreateObservableGauge(UpstreamMetrics.Names.CircuitState, Observe, null,
            "Each source's circuit breaker: 0 closed, 1 half-open (one call probes it), 2 open (calls refused)");
    }

    public TimeProvider Clock { get; }

    public IReadOnlyCollection<SourceCircuit> All => _byName.Values;

    public SourceCircuit For(string source) => _byName.TryGetValue(source, out var circuit)
        ? circuit
        : throw new InvalidOperationException($"Upstream source '{source}' is not registered (AddUpstreamSource).");

    public static int Level(CircuitState state) => state switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        _ => 2, // Open, or isolated by hand (nothing here isolates one).
    };

    private IEnumerable<Measurement<int>> Observe()
    {
        foreach (var circuit in _byName.Values)
            yield return new Measurement<int>(Level(circuit.State), new KeyValuePair<string, object?>("source", circuit.Source));
    }
}

/// <summary>A source registered with <c>AddUpstreamSource</c>: its name in results, problems, metrics and spans.</summary>
public sealed record UpstreamSourceName(string Name);
