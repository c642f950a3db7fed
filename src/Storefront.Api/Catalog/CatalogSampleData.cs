using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;

namespace Storefront.Api.Catalog;

/// <summary>Sample catalog so that /items/1 and /product/7 answer right after the first run.</summary>
internal sealed class CatalogSampleData(IServiceScopeFactory scopes) : ISampleData
{
    public string Name => "sample items";

    private static readonly (string Name, decimal Price, string Description)[] Samples =
    [
        ("Mechanical keyboard", 89.00m, "Tenkeyless, hot-swappable switches."),
        ("Wireless mouse", 29.99m, "Two-device pairing, 70-day battery."),
        ("27-inch monitor", 249.00m, "1440p IPS panel, 144 Hz."),
        ("USB-C dock", 119.50m, "Two displays, 96 W charging, gigabit ethernet."),
        ("Noise-cancelling headphones", 199.00m, "Over-ear, 30-hour battery."),
        ("Webcam", 59.90m, "1080p, privacy shutter."),
        ("Desk lamp", 34.00m, "Dimmable, warm to cool white."),
        ("Laptop stand", 42.00m, "Aluminium, six heights."),
        ("Portable SSD 1 TB", 99.00m, "USB 3.2, 1,050 MB/s."),
        ("Ergonomic chair", 329.00m, "Adjustable lumbar support."),
        ("Standing desk", 449.00m, "Dual motor, memory presets."),
        ("Cable organiser", 12.50m, null!),
        ("Microphone", 129.00m, "USB condenser, cardioid."),
        ("Wrist rest", 18.00m, "Memory foam."),
        ("Smart plug", 15.99m, "Energy monitoring."),
        ("Bluetooth speaker", 49.00m, "Water resistant, 12-hour battery."),
        ("Power bank", 39.00m, "20,000 mAh, 65 W USB-C."),
        ("Graphics tablet", 79.00m, "8192 pressure levels."),
        ("Router", 149.00m, "Wi-Fi 6, four gigabit ports."),
        ("Surge protector", 24.00m, "Eight outlets, two USB ports."),
    ];

    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        if (await db.Items.AnyAsync(cancellationToken)) return 0;
        db.Items.AddRange(Samples.Select(s => new CatalogItem { Name = s.Name, Price = s.Price, Description = s.Description }));
        return await db.SaveChangesAsync(cancellationToken);
    }
}
