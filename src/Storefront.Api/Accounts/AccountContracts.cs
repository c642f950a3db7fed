using System.Text.RegularExpressions;
using Storefront.Api.Email;
using Storefront.Api.Http;

namespace Storefront.Api.Accounts;

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

        if (EmailAddresses.Problem(Email) is { } emailError)
            errors.Add("email", emailError);
        errors.CheckText(Email, "email").CheckText(Password, "password");

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

    // \A and \z, not ^ and $: '$' also matches before a final newline, which would let "ann\n" register.
    [GeneratedRegex(@"\A[A-Za-z0-9_.-]{3,50}\z")]
    private static partial Regex UsernamePattern();
}

public sealed record RegisterResponse(string Msg, int Id);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record UserResponse(int Id, string Username, string Email, DateTimeOffset CreatedAt);

public sealed record UserSummary(int Id, string Username, DateTimeOffset CreatedAt);

public sealed record UserListResponse(IReadOnlyList<UserSummary> Users, int Total);
