using System.Diagnostics.Metrics;

namespace Storefront.Api.Inventory;

/// <summary>The inventory webhook's deliveries for /metrics.</summary>
internal sealed class InventoryMetrics
{
    private readonly Counter<long> _events;
    private readonly Counter<long> _refused;

    public InventoryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Storefront.Inventory");
        _events = meter.CreateCounter<long>("storefront.inventory.events", null, "Inventory events received, by outcome (applied, duplicate)");
        _refused = meter.CreateCounter<long>("storefront.inventory.refused", null,
            "Deliveries refused before their events were read, by reason (signature: missing, malformed or wrong; stale: signed outside the tolerance)");
    }

    public void Events(string outcome, int count) => _events.Add(count, new KeyValuePair<string, object?>("outcome", outcome));

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
