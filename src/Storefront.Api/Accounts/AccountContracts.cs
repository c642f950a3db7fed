using System.Text.RegularExpressions;
using Storefront.Api.Email;
using Storefront.Api.Http;

namespace Storefront.Api.Accounts;

public sealed partial record RegisterRequest(string? Username, string? Email, string? Password) : IValidatable
{
    public Dictionary<string, string[]>? Validate()
    {
        var errors = new ValidationErrors();
        if (Username is null || !UsernamePattern().IsMatch(Username))
            errors.Add("username", "3 to 50 characters: letters, digits, '_', '.' or '-'.");

        if (EmailAddresses.Problem(Email) is { } emailError)
            errors.Add("email", emailError);
        errors.CheckText(Email, "email").CheckText(Password, "password");

        if (PasswordRules.Problem(Password, Username) is { } passwordError)
            errors.Add("password", passwordError);
        return errors.ToDictionary();
    }

    // \A and \z, not ^ and $: '$' also matches before a final newline, which would let "ann\n" register.
    [GeneratedRegex(@"\A[A-Za-z0-9_.-]{3,50}\z")]
    private static partial Regex UsernamePattern();
}

/// <summary>The one rule for a new password: at registration, on a change and on a reset.</summary>
public static class PasswordRules
{
    public const int MinLength = 8;

    // Long enough for any passphrase, short enough that hashing it cannot be used to burn CPU.
    public const int MaxLength = 128;

    private static readonly HashSet<string> CommonPasswords = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop",
        "qwerty123", "iloveyou", "11111111", "00000000", "abc12345", "letmein1", "welcome1", "admin123",
    };

    /// <summary>Why <paramref name="password"/> cannot be a password of <paramref name="username"/>, or null when it can.</summary>
    public static string? Problem(string? password, string? username)
    {
        if (password is null || password.Length < MinLength) return $"At least {MinLength} characters.";
        if (password.Length > MaxLength) return $"At most {MaxLength} characters.";
        if (IsWeak(password, username)) return "Too easy to guess: avoid common passwords, repeated characters and your username.";
        return null;
    }

    private static bool IsWeak(string password, string? username) =>
        CommonPasswords.Contains(password) ||
        password.Distinct().Count() < 3 ||
        (username is not null && password.Contains(username, StringComparison.OrdinalIgnoreCase));
}

/// <summary>POST /users/me/password. The new password's username rule is checked by the handler, which knows the name.</summary>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword) : IValidatable
{
    public Dictionary<string, string[]>? Validate()
    {
        var errors = new ValidationErrors()
            .CheckText(CurrentPassword, "current_password").CheckText(NewPassword, "new_password")
            .Check(CurrentPassword is { Length: > 0 and <= PasswordRules.MaxLength }, "current_password", "Required, at most 128 characters.");
        if (PasswordRules.Problem(NewPassword, null) is { } problem) errors.Add("new_password", problem);
        return errors.ToDictionary();
    }
}

/// <summary>POST /password-recovery.</summary>
public sealed record PasswordRecoveryRequest(string? Email) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(EmailAddresses.Problem(Email) is null, "email", "A valid email address is required.")
        .ToDictionary();
}

/// <summary>POST /reset-password.</summary>
public sealed record ResetPasswordRequest(string? Token, string? NewPassword) : IValidatable
{
    public Dictionary<string, string[]>? Validate()
    {
        var errors = new ValidationErrors().CheckText(Token, "token").CheckText(NewPassword, "new_password")
            .Check(Token is { Length: > 0 and <= 100 }, "token", "Required: the token from the recovery mail.");
        if (PasswordRules.Problem(NewPassword, null) is { } problem) errors.Add("new_password", problem);
        return errors.ToDictionary();
    }
}

public sealed record RecoveryAcceptedResponse(string Msg);

public sealed record RegisterResponse(string Msg, int Id);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record UserResponse(int Id, string Username, string Email, DateTimeOffset CreatedAt);

public sealed record UserSummary(int Id, string Username, DateTimeOffset CreatedAt);

public sealed record UserListResponse(IReadOnlyList<UserSummary> Users, int Total);
