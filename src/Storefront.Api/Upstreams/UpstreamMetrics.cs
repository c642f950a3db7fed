namespace Storefront.Api.Upstreams;

/// <summary>The upstream calls' meter and the instrument names other features read (the dashboard), spelled only here.</summary>
public static class UpstreamMetrics
{
    public const string MeterName = "Storefront.Upstreams";

    public static class Names
    {
        /// <summary>Each call's time, tagged <c>source</c> and <c>status</c> (<see cref="UpstreamSources"/>).</summary>
        public const string RequestDuration = "storefront.upstream.request.duration";

        /// <summary>Each source's breaker: 0 closed, 1 half-open, 2 open (<see cref="UpstreamCircuits"/>).</summary>
        public const string CircuitState = "storefront.upstream.circuit.state";
    }
}
