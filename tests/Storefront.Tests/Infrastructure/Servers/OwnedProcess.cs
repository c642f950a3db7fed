using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>A server process of the run's own (a group of its own, see <see cref="ProcessGroups"/>) and what it printed.</summary>
internal sealed class OwnedProcess
{
    private readonly StringBuilder _output = new();

    private OwnedProcess(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static OwnedProcess Start(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        var owned = new OwnedProcess(ProcessGroups.Start(start));
        owned.Process.OutputDataReceived += (_, e) => owned.Append(e.Data);
        owned.Process.ErrorDataReceived += (_, e) => owned.Append(e.Data);
        owned.Process.BeginOutputReadLine();
        owned.Process.BeginErrorReadLine();
        return owned;
    }

    /// <summary>Waits until <paramref name="port"/> accepts TCP connections; an exit of the process ends the wait at once.</summary>
    public Task WaitForPortAsync(int port, string what) =>
        Eventually.TrueAsync(async () =>
        {
            if (Process.HasExited) throw new InvalidOperationException($"{what} exited at startup with code {Process.ExitCode}:\n{Output}");
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }, TimeSpan.FromSeconds(60), $"{what} accepts connections on port {port}", typeof(SocketException));

    /// <summary>Asks the whole group to end with <paramref name="signal"/>, and kills it if it has not within 15 s.</summary>
    public async Task StopAsync(int signal)
    {
        ProcessGroups.Signal(Process, signal);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await Process.WaitForExitAsync(patience.Token);
            ProcessGroups.Forget(Process);
        }
        catch (OperationCanceledException)
        {
            await ProcessGroups.KillAsync(Process);
        }
        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
