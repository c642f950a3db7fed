using System.Diagnostics;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The real SMTP server scripts/test starts (aiosmtpd): where it listens and the Maildir it stores messages in.
/// </summary>
internal static class Mailbox
{
    public static (string Host, int Port) Server
    {
        get
        {
            var address = Environment.GetEnvironmentVariable("STOREFRONT_TEST_SMTP")
                ?? throw new InvalidOperationException("STOREFRONT_TEST_SMTP is not set. Run the tests with scripts/test, which starts an SMTP server.");
            var colon = address.LastIndexOf(':');
            return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Messages the SMTP server received that mention <paramref name="text"/>, waiting up to <paramref name="timeout"/> for at least one.</summary>
    public static async Task<IReadOnlyList<string>> WaitForAsync(string text, TimeSpan timeout)
    {
        var folder = Environment.GetEnvironmentVariable("STOREFRONT_TEST_MAILDIR")
            ?? throw new InvalidOperationException("STOREFRONT_TEST_MAILDIR is not set. Run the tests with scripts/test.");
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var found = Find(folder, text);
            if (found.Count > 0 || Stopwatch.GetTimestamp() > deadline) return found;
            await Task.Delay(100);
        }
    }

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
