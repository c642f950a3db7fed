using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using Storefront.Api.Data;

namespace Storefront.Api.Email;

/// <summary>
/// Sends mail over SMTP with System.Net.Mail, or drops .eml files into a pickup folder when no host is set
/// (the embedded default). Runs only inside background jobs, never on a request path.
/// </summary>
public sealed class EmailSender(IOptions<EmailOptions> options, IOptions<StorageOptions> storage)
{
    public string PickupFolder => options.Value.PickupFolder ?? Path.Combine(Path.GetFullPath(storage.Value.Path), "mail");

    public async Task SendAsync(string to, string subject, string body, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var message = new MailMessage(new MailAddress(o.From), new MailAddress(to))
        {
            Subject = subject,
            Body = body,
            BodyEncoding = System.Text.Encoding.UTF8,
            SubjectEncoding = System.Text.Encoding.UTF8,
            // Readable as-is in the pickup folder and in any mailbox, unlike base64.
            BodyTransferEncoding = System.Net.Mime.TransferEncoding.QuotedPrintable,
        };
        // SmtpClient is not safe for concurrent sends: one per message, as its documentation advises.
        using var client = new SmtpClient { Timeout = o.TimeoutMs };
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            Directory.CreateDirectory(PickupFolder);
            client.DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory;
            client.PickupDirectoryLocation = PickupFolder;
        }
        else
        {
            client.Host = o.Host;
            client.Port = o.Port;
            client.EnableSsl = o.EnableSsl;
            if (!string.IsNullOrEmpty(o.Username)) client.Credentials = new NetworkCredential(o.Username, o.Password);
        }
        await client.SendMailAsync(message, cancellationToken);
    }
}
