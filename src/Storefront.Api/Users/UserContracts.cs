using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using Storefront.Api.Email;
using Storefront.Api.Http;

namespace Storefront.Api.Users;

public sealed partial record RegisterRequest(string? Username, string? Email, string? Password) : IValidatable
{
    public const int MinPasswordLength = 8;

    // Long enough for any passphrase, short enough that hashing it cannot be used to burn CPU.
    public const int MaxPasswordLength = 128;

    private static readonly HashSet<string> CommonPasswords = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop",
        "qwerty123", "iloveyou", "11111111", "00000000", "abc12345", "letmein1", "welcome1", "admin123",
    };

    public Dictionary<string, string[]>? Validate()
    {
        var errors = new ValidationErrors();
        if (Username is null || !UsernamePattern().IsMatch(Username))
            errors.Add("username", "3 to 50 characters: letters, digits, '_', '.' or '-'.");

        if (EmailError(Email) is { } emailError)
            errors.Add("email", emailError);

        if (Password is null || Password.Length < MinPasswordLength)
            errors.Add("password", $"At least {MinPasswordLength} characters.");
        else if (Password.Length > MaxPasswordLength)
            errors.Add("password", $"At most {MaxPasswordLength} characters.");
        else if (IsWeak(Password, Username))
            errors.Add("password", "Too easy to guess: avoid common passwords, repeated characters and your username.");
        return errors.ToDictionary();
    }

    private static bool IsWeak(string password, string? username) =>
        CommonPasswords.Contains(password) ||
        password.Distinct().Count() < 3 ||
        (username is not null && password.Contains(username, StringComparison.OrdinalIgnoreCase));

    /// <summary>Why an address cannot be a recipient, or null when it can. /register and /send-email both use it.</summary>
    public static string? EmailError(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 254 || !IsEmail(value.Trim(), out var mailbox))
            return "A valid email address is required.";
        // A non-ASCII local part needs SMTPUTF8 all the way to the mailbox, which most relays lack: a job for
        // it could only fail, so it is refused here. Non-ASCII domains are fine: they are sent as punycode.
        if (!Ascii.IsValid(mailbox.LocalPart))
            return "The part before '@' must be ASCII: internationalized mailbox names (SMTPUTF8) are not supported.";
        return null;
    }

    /// <summary>One address, no display name, a dotted domain: what a mail server will accept as a recipient.</summary>
    private static bool IsEmail(string value, [NotNullWhen(true)] out MailboxAddress? mailbox) =>
        MailboxAddress.TryParse(EmailOptions.StrictAddresses, value, out mailbox) &&
        string.IsNullOrEmpty(mailbox.Name) && mailbox.Route.Count == 0 &&
        // Nothing around the address ("<a@b.c>"); compared IDN-encoded so a punycode domain matches its Unicode form.
        mailbox.GetAddress(idnEncode: true) == MailboxAddress.EncodeAddrspec(value) &&
        mailbox.Domain.Contains('.', StringComparison.Ordinal) &&
        !value.EndsWith('.');

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,50}$")]
    private static partial Regex UsernamePattern();
}

public sealed record RegisterResponse(string Msg, int Id);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record UserResponse(int Id, string Username, string Email, DateTimeOffset CreatedAt);

public sealed record UserSummary(int Id, string Username, DateTimeOffset CreatedAt);

public sealed record UserListResponse(IReadOnlyList<UserSummary> Users, int Total);

/// <summary>Paging for GET /users, with the catalog's bounds.</summary>
public sealed record UserListQuery(int Skip = 0, int Limit = 10) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(Skip >= 0, "skip", "Must be 0 or more.")
        .Check(Limit is >= 1 and <= 100, "limit", "Must be between 1 and 100.")
        .ToDictionary();
}
