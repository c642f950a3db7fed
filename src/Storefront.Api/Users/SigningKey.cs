using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Storefront.Api.Data;

namespace Storefront.Api.Users;

/// <summary>
/// The key that signs tokens, and the keys that check them: the current one plus, during a rotation, the previous
/// ones (Jwt__PreviousSigningKeys), so tokens issued before the switch stay valid until they expire.
/// Resolved once at startup.
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
            throw new InvalidOperationException(
                "Jwt__SigningKey is not set. Outside Development the service needs a signing key: a base64 value of at " +
                $"least {MinimumBytes} random bytes, e.g. `openssl rand -base64 48`.");
        }
        Key = Create(bytes);
        ValidationKeys = [Key, .. options.Value.PreviousSigningKeys.Select((previous, i) => Create(Decode(previous, $"Jwt__PreviousSigningKeys__{i}")))];
    }

    /// <summary>Signs new tokens.</summary>
    public SymmetricSecurityKey Key { get; }

    /// <summary>Checks tokens: the signing key first, then the previous ones (the token's kid picks one).</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys { get; }

    private static SymmetricSecurityKey Create(byte[] bytes) => new(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] };

    private static byte[] Decode(string configured, string setting)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(configured);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{setting} must be base64.");
        }
        return bytes.Length >= MinimumBytes
            ? bytes
            : throw new InvalidOperationException($"{setting} must decode to at least {MinimumBytes} bytes (got {bytes.Length}).");
    }

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
