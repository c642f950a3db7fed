namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>The run's SMTP server: Debian's aiosmtpd, storing every message it accepts in a Maildir the tests read.</summary>
internal sealed class SmtpTestServer
{
    // Debian's interpreter: a python3 earlier on PATH (pyenv, a venv) would not see python3-aiosmtpd.
    private const string Python = "/usr/bin/python3";

    private readonly OwnedProcess _process;

    private SmtpTestServer(OwnedProcess process, int port, string maildir)
    {
        _process = process;
        Port = port;
        Maildir = maildir;
    }

    public int Port { get; }

    public string Maildir { get; }

    public static async Task<SmtpTestServer> StartAsync()
    {
        if (!File.Exists(Python)) throw TestServers.Missing(Python, "python3-aiosmtpd", TestServers.SmtpVariable);
        var maildir = Path.Combine(ProcessGroups.RunFolder, "maildir");
        var port = ServiceProcess.FreePort();
        var process = OwnedProcess.Start(Python,
            ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir]);
        try
        {
            await process.WaitForPortAsync(port, "aiosmtpd");
        }
        catch (InvalidOperationException) when (process.Output.Contains("No module named aiosmtpd", StringComparison.Ordinal))
        {
            throw TestServers.Missing("aiosmtpd", "python3-aiosmtpd", TestServers.SmtpVariable);
        }
        return new SmtpTestServer(process, port, maildir);
    }

    public Task StopAsync() => _process.StopAsync(Signals.Terminate);
}
