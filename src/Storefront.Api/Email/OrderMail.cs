using System.Globalization;
using Npgsql;
using Storefront.Api.Data;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

/// <summary>What ordering uses to confirm an order by mail: the job is staged in the ordering unit of work.</summary>
public interface IOrderMail
{
    /// <summary>Stages the confirmation in <paramref name="db"/>; the caller's SaveChanges stores it with the order, in its transaction.</summary>
    void StageConfirmation(StorefrontDbContext db, int userId, string email, long orderId, decimal total);

    /// <summary>PostgreSQL: the confirmation as one statement of the caller's batch; <see cref="Stored"/> once it has committed.</summary>
    NpgsqlBatchCommand ConfirmationCommand(int userId, string email, long orderId, decimal total);

    /// <summary>The batch holding <see cref="ConfirmationCommand"/> has committed: the mail goes out now, not at the next poll.</summary>
    void Stored();
}

internal sealed class OrderMail(IJobQueue jobs) : IOrderMail
{
    public void StageConfirmation(StorefrontDbContext db, int userId, string email, long orderId, decimal total) =>
        jobs.Add(db, OrderConfirmationHandler.JobKind, new OrderConfirmationPayload(email, orderId, total),
            EmailJsonContext.Default.OrderConfirmationPayload, ownerId: userId);

    public NpgsqlBatchCommand ConfirmationCommand(int userId, string email, long orderId, decimal total) =>
        jobs.AddCommand(OrderConfirmationHandler.JobKind, new OrderConfirmationPayload(email, orderId, total),
            EmailJsonContext.Default.OrderConfirmationPayload, ownerId: userId);

    public void Stored() => jobs.Stored();
}

public sealed record OrderConfirmationPayload(string To, long OrderId, decimal Total);

/// <summary>"Your order is confirmed", queued by POST /orders in the transaction that reserves the stock.</summary>
public sealed class OrderConfirmationHandler(EmailSender sender, ILogger<OrderConfirmationHandler> logger)
    : EmailJobHandler<OrderConfirmationPayload>(sender, EmailJsonContext.Default.OrderConfirmationPayload, logger)
{
    public const string JobKind = "email.order_confirmation";

    public override string Kind => JobKind;

    public override JobPriority Priority => JobPriority.User;

    protected override (string, string, string) Compose(OrderConfirmationPayload payload, JobContext job) =>
        (payload.To, $"Storefront order {payload.OrderId} confirmed",
            string.Create(CultureInfo.InvariantCulture, $"Your order {payload.OrderId} is confirmed. Total: {payload.Total:0.00}.\n"));
}
