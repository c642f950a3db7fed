using System.Net.Sockets;
using MailKit;
using MimeKit;
using Storefront.Api.Data;

namespace Storefront.Api.Email;

/// <summary>
/// Sends mail over SMTP with MailKit, or drops .eml files into a pickup folder when no host is set
/// (the embedded default). Runs only inside background jobs, never on a request path.
/// </summary>
public sealed class EmailSender(IOptions<SmtpOptions> options, IOptions<StorageOptions> storage)
{
    /// <summary>Headers as 7-bit ASCII (IDN domains as punycode) and CRLF line ends, as on the wire.</summary>
    private static readonly FormatOptions PickupFormat = CreatePickupFormat();

    public string PickupFolder => options.Value.PickupFolder ?? Path.Combine(Path.GetFullPath(storage.Value.Path), "mail");

    /// <summary>Smtp__TimeoutMs: the whole conversation for one message.</summary>
    public int TimeoutMs => options.Value.TimeoutMs;

    /// <summary>No Smtp__Host: messages are files in <see cref="PickupFolder"/>.</summary>
    public bool UsesPickupFolder => string.IsNullOrWhiteSpace(options.Value.Host);

    /// <summary>
    /// Sends one message. Throws <see cref="TimeoutException"/> when the server takes longer than Smtp__TimeoutMs,
    /// and MailKit's exceptions (SmtpCommandException, AuthenticationException, ...) when it refuses.
    /// </summary>
    public async Task SendAsync(string to, string subject, string body, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var message = Compose(o.From, to, subject, body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.TimeoutMs);
        try
        {
            if (UsesPickupFolder) await WriteToPickupFolderAsync(message, timeout.Token);
            else await SendOverSmtpAsync(message, o.Host!, o, timeout.Token);
        }
        // Whichever deadline fires first (the whole conversation's, or MailKit's per operation), it is Smtp__TimeoutMs.
        catch (Exception ex) when (ex is TimeoutException ||
                                   (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            throw new TimeoutException(
                $"Sending to {(UsesPickupFolder ? PickupFolder : $"{o.Host}:{o.Port}")} took longer than {o.TimeoutMs} ms (Smtp__TimeoutMs).", ex);
        }
    }

    private static MimeMessage Compose(string from, string to, string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(EmailAddresses.Strict, from));
        message.To.Add(MailboxAddress.Parse(EmailAddresses.Strict, to));
        message.Subject = subject; // Non-ASCII is encoded as UTF-8 (RFC 2047).
        var text = new TextPart(MimeKit.Text.TextFormat.Plain)
        {
            // Readable as-is in the pickup folder and in any mailbox, unlike base64.
            ContentTransferEncoding = ContentEncoding.QuotedPrintable,
        };
        text.SetText(System.Text.Encoding.UTF8, body);
        message.Body = text;
        return message;
    }

    private static async Task SendOverSmtpAsync(MimeMessage message, string host, SmtpOptions o, CancellationToken cancellationToken)
    {
        // One connection per message: jobs send a few at a time, and a client is not safe for concurrent sends.
        // Dispose closes the socket on every path; QUIT is only polite.
        using var client = new MailKit.Net.Smtp.SmtpClient();
        client.Timeout = o.TimeoutMs; // Each network operation; the token bounds the whole conversation.
        await client.ConnectAsync(host, o.Port, o.SocketOptions, cancellationToken);
        if (!string.IsNullOrEmpty(o.Username)) await client.AuthenticateAsync(o.Username, o.Password ?? "", cancellationToken);
        await client.SendAsync(message, cancellationToken);
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ProtocolException or CommandException or OperationCanceledException)
        {
            // The server has accepted the message: failing the job now would only send it twice on the retry.
        }
    }

    /// <summary>Written under a hidden temporary name and renamed, so a reader of *.eml never sees half a message.</summary>
    private async Task WriteToPickupFolderAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var folder = PickupFolder;
        Directory.CreateDirectory(folder);
        var name = $"{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}";
        var temporary = Path.Combine(folder, $".{name}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await message.WriteToAsync(PickupFormat, file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true); // A crash after the rename must not leave an empty .eml behind.
            }
            File.Move(temporary, Path.Combine(folder, name + ".eml"));
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static FormatOptions CreatePickupFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
