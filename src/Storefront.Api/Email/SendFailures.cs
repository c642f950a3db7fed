using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Storefront.Api.Jobs;

namespace Storefront.Api.Email;

/// <summary>
/// A failed send, put in words for the job's owner (last_error): what kind of failure, and the SMTP status code when
/// there is one, but never the recipient or the server's reply, which quotes addresses and names internal hosts.
/// The exception itself goes along as the inner exception and to the Debug log, for operators.
/// </summary>
internal static class SendFailures
{
    /// <returns>The failure to throw, or null for an exception that is not a sending failure (left to the job worker).</returns>
    public static JobFailureException? Describe(Exception ex, EmailSender sender) => ex switch
    {
        // No SMTP host: the only failures left are the disk's.
        IOException or UnauthorizedAccessException when sender.UsesPickupFolder =>
            new JobFailureException("Could not write the message to the pickup folder (Smtp__PickupFolder).", ex),
        SmtpCommandException command => Refused(command),
        // Stored before the API checked addresses as strictly: no attempt can send it.
        ParseException => new PermanentJobFailureException("The recipient is not an address mail can be sent to.", ex),
        TimeoutException => new JobFailureException($"Sending took longer than {sender.TimeoutMs} ms (Smtp__TimeoutMs).", ex),
        AuthenticationException => new JobFailureException("The SMTP server refused the credentials (Smtp__Username, Smtp__Password).", ex),
        SslHandshakeException => new JobFailureException("The TLS handshake with the SMTP server failed (its certificate, or no common protocol).", ex),
        // MailKit's word for a missing extension the settings insist on.
        NotSupportedException => new JobFailureException(
            "The SMTP server does not offer what the settings require (STARTTLS for Smtp__Security, or authentication for Smtp__Username).", ex),
        SmtpProtocolException => new JobFailureException("The SMTP server broke off the conversation or answered out of protocol.", ex),
        SocketException socket => new JobFailureException($"Could not reach the SMTP server ({socket.SocketErrorCode}).", ex),
        IOException or ServiceNotConnectedException or CommandException or ProtocolException =>
            new JobFailureException("The connection to the SMTP server failed.", ex),
        _ => null,
    };

    /// <summary>
    /// A 5xx reply to this recipient or this message will be the same on every retry: the job ends dead. A refused
    /// sender is left to the retries: that is the configuration (Smtp__From, the account), which an operator can fix.
    /// </summary>
    private static JobFailureException Refused(SmtpCommandException ex)
    {
        var code = (int)ex.StatusCode;
        var what = ex.ErrorCode switch
        {
            SmtpErrorCode.RecipientNotAccepted => "the recipient",
            SmtpErrorCode.MessageNotAccepted => "the message",
            SmtpErrorCode.SenderNotAccepted => "the sender (Smtp__From)",
            _ => "a command",
        };
        return code >= 500 && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted
            ? new PermanentJobFailureException($"The SMTP server refused {what} for good ({code}).", ex)
            : new JobFailureException($"The SMTP server refused {what} ({code}).", ex);
    }
}
