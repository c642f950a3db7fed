namespace Storefront.Tests.Infrastructure;

/// <summary>The run's real SMTP server (<see cref="TestServers"/>): where it listens and the Maildir it stores messages in.</summary>
/// <summary>A host whose mail goes to the run's SMTP server (<see cref="Mailbox"/>): <c>ConfiguredFactory&lt;MailboxSmtp&gt;</c>.</summary>
public sealed class MailboxSmtp : IHostSettings
{
    public static IReadOnlyDictionary<string, string?> Settings => Mailbox.Settings;
}

internal static class Mailbox
{
    public static (string Host, int Port) Server => TestServers.Smtp;

    /// <summary>The settings that send a host's mail to this server.</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Smtp:Host"] = Server.Host,
        ["Smtp:Port"] = Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Messages the SMTP server received that mention <paramref name="text"/>, once there is at least one.</summary>
    public static Task<IReadOnlyList<string>> WaitForAsync(string text, TimeSpan timeout) =>
        Eventually.ValueAsync(() => Task.FromResult(Received(text)), found => found.Count > 0, timeout,
            $"a message mentioning {text} reaches the SMTP server");

    /// <summary>Messages the SMTP server received so far that mention <paramref name="text"/>, without waiting.</summary>
    public static IReadOnlyList<string> Received(string text) => Find(TestServers.Maildir, text);

    private static List<string> Find(string folder, string text)
    {
        var messages = new List<string>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var path = Path.Combine(folder, sub);
            if (!Directory.Exists(path)) continue;
            foreach (var file in Directory.EnumerateFiles(path))
            {
                var content = File.ReadAllText(file);
                if (content.Contains(text, StringComparison.OrdinalIgnoreCase)) messages.Add(content);
            }
        }
        return messages;
    }
}
