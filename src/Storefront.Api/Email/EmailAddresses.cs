using System.Diagnostics.CodeAnalysis;
using System.Text;
using MimeKit;

namespace Storefront.Api.Email;

/// <summary>The one rule for a recipient address, used by every endpoint that takes one (/register, /send-email).</summary>
public static class EmailAddresses
{
    /// <summary>Mailboxes as the API and the sender accept them: one address, a domain, nothing lenient.</summary>
    internal static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
        AllowUnquotedCommasInAddresses = false,
    };

    /// <summary>Why an address cannot be a recipient, or null when it can.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 254 || !IsRecipient(value.Trim(), out var mailbox))
            return "A valid email address is required.";
        // A non-ASCII local part needs SMTPUTF8 all the way to the mailbox, which most relays lack: a job for
        // it could only fail, so it is refused here. Non-ASCII domains are fine: they are sent as punycode.
        if (!Ascii.IsValid(mailbox.LocalPart))
            return "The part before '@' must be ASCII: internationalized mailbox names (SMTPUTF8) are not supported.";
        return null;
    }

    /// <summary>One address, no display name, a dotted domain: what a mail server will accept as a recipient.</summary>
    private static bool IsRecipient(string value, [NotNullWhen(true)] out MailboxAddress? mailbox) =>
        MailboxAddress.TryParse(Strict, value, out mailbox) &&
        string.IsNullOrEmpty(mailbox.Name) && mailbox.Route.Count == 0 &&
        // Nothing around the address ("<a@b.c>"); compared IDN-encoded so a punycode domain matches its Unicode form.
        mailbox.GetAddress(idnEncode: true) == MailboxAddress.EncodeAddrspec(value) &&
        mailbox.Domain.Contains('.', StringComparison.Ordinal) &&
        !value.EndsWith('.');
}
