using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Storefront.Api.Data;

namespace Storefront.Api.Accounts;

/// <summary>
/// The key that signs tokens, and the keys that check them: the current one plus, during a rotation, the previous
/// ones (Jwt__PreviousSigningKeys), so tokens issued before the switch stay valid until they expire.
/// Made on first use; the settings were checked at startup (<see cref="JwtOptionsValidator"/>).
/// </summary>
public sealed class SigningKey
{
    public const int MinimumBytes = 32;

    public SigningKey(IOptions<JwtOptions> options, IOptions<StorageOptions> storage, IHostEnvironment environment)
    {
        var configured = options.Value.SigningKey;
        byte[] bytes;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            bytes = Decode(configured, "Jwt__SigningKey");
        }
        else if (environment.IsDevelopment())
        {
            bytes = LoadOrCreateDevelopmentKey(Path.GetFullPath(storage.Value.Path));
        }
        else
        {
            throw new InvalidOperationException("Jwt__SigningKey is not set (the options validator stops startup before this).");
        }
        Key = Create(bytes);
        ValidationKeys = [Key, .. options.Value.PreviousSigningKeys.Select((previous, i) => Create(Decode(previous, $"Jwt__PreviousSigningKeys__{i}")))];
    }

    /// <summary>Signs new tokens.</summary>
    public SymmetricSecurityKey Key { get; }

    /// <summary>Checks tokens: the signing key first, then the previous ones (the token's kid picks one).</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys { get; }

    private static SymmetricSecurityKey Create(byte[] bytes) => new(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] };

    /// <summary>Why a configured key cannot be used, or null when it can (checked at startup by the options validator).</summary>
    public static string? Problem(string configured, string setting)
    {
        try
        {
            var length = Convert.FromBase64String(configured).Length;
            return length >= MinimumBytes ? null : $"{setting} must decode to at least {MinimumBytes} bytes (got {length}).";
        }
        catch (FormatException)
        {
            return $"{setting} must be base64.";
        }
    }

    private static byte[] Decode(string configured, string setting) =>
        Problem(configured, setting) is { } problem ? throw new InvalidOperationException(problem) : Convert.FromBase64String(configured);

    // Development only: a random key kept beside the SQLite file, readable by the owner alone.
    private static byte[] LoadOrCreateDevelopmentKey(string folder)
    {
        var path = Path.Combine(folder, "jwt-development.key");
        if (File.Exists(path)) return Decode(File.ReadAllText(path).Trim(), path);
        Directory.CreateDirectory(folder);
        var bytes = RandomNumberGenerator.GetBytes(48);
        File.WriteAllText(path, Convert.ToBase64String(bytes));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return bytes;
    }
}
