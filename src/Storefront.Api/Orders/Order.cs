using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storefront.Api.Data;

namespace Storefront.Api.Orders;

public static class OrderStatus
{
    public const string Confirmed = "confirmed";
    public const string Cancelled = "cancelled";
}

/// <summary>A stored order (the orders table). Its stock was reserved in the transaction that stored it.</summary>
public sealed class Order
{
    public long Id { get; set; }
    public int UserId { get; set; }
    public string Status { get; set; } = OrderStatus.Confirmed;
    public decimal Total { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
}

/// <summary>One item of an order, at the price it had when the order was placed.</summary>
public sealed class OrderLine
{
    public long OrderId { get; set; }
    public int ItemId { get; set; }
    public int Quantity { get; set; }
    public decimal UnitPrice { get; set; }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> order)
    {
        order.ToTable("orders");
        order.HasKey(o => o.Id);
        order.Property(o => o.Id).ValueGeneratedOnAdd();
        order.Property(o => o.Status).HasMaxLength(10);
        order.Property(o => o.Total).HasPrecision(14, 2);
        order.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId);
    }
}

internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> line)
    {
        line.ToTable("order_lines");
        line.HasKey(l => new { l.OrderId, l.ItemId });
        line.Property(l => l.UnitPrice).HasPrecision(12, 2);
    }
}

/// <summary>The order tables on the shared context.</summary>
public static class OrderTables
{
    extension(StorefrontDbContext db)
    {
        public DbSet<Order> Orders => db.Set<Order>();
    }
}
