using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Storefront.Tests.Infrastructure.Servers;

/// <summary>
/// Starts the processes a test run owns (servers, service instances) so that none outlives the run, also when the run
/// is killed outright. Each child leads a process group of its own (<c>setsid</c>), so one signal reaches whatever it
/// forks (PostgreSQL's backends, <c>runuser</c>'s child). A watchdog outside the run's process group polls the test
/// process and, once it is gone, ends every group still listed and deletes the run's folder. A parent-death signal
/// would not do: Linux sends it when the forking <em>thread</em> ends, and thread-pool threads come and go.
/// </summary>
internal static partial class ProcessGroups
{
    private const string WatchdogScript = """
        test_pid=$1 groups=$2 folder=$3
        while kill -0 "$test_pid" 2>/dev/null; do sleep 0.5; done
        if [ -s "$groups" ]; then
          for g in $(cat "$groups"); do kill -TERM -- "-$g" 2>/dev/null; done
          sleep 1
          for g in $(cat "$groups"); do kill -KILL -- "-$g" 2>/dev/null; done
        fi
        rm -rf "$folder"
        """;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Groups = [];
    private static readonly Lazy<string> Folder = new(CreateRunFolder);

    /// <summary>
    /// This run's folder for servers' data, sockets and logs: short and under /tmp (a unix socket path has ~100
    /// characters) and open to the <c>postgres</c> user; the watchdog, started with it, deletes it when the run ends.
    /// </summary>
    public static string RunFolder => Folder.Value;

    /// <summary>Starts <paramref name="start"/> as the leader of a new process group that ends with the test run at the latest.</summary>
    public static Process Start(ProcessStartInfo start)
    {
        start.ArgumentList.Insert(0, start.FileName);
        start.FileName = "setsid"; // execs in place (the child is no group leader), so the pid is the group's id
        start.UseShellExecute = false;
        var groups = GroupsFile; // the run's folder, and with it the watchdog, before the first child
        lock (Gate)
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.ArgumentList[0]} did not start");
            Groups.Add(process.Id);
            WriteGroups(groups);
            return process;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to every process of the group <paramref name="process"/> leads.</summary>
    public static void Signal(Process process, int signal) => _ = SendSignal(-process.Id, signal);

    /// <summary>SIGKILL to the whole group, then waits for the leader; the group is no longer the watchdog's.</summary>
    public static async Task KillAsync(Process process)
    {
        Signal(process, Signals.Kill);
        await process.WaitForExitAsync();
        Forget(process);
    }

    /// <summary>The group has ended by other means (a graceful stop): the watchdog need not end it.</summary>
    public static void Forget(Process process)
    {
        lock (Gate)
        {
            if (Groups.Remove(process.Id)) WriteGroups(GroupsFile);
        }
    }

    private static string GroupsFile => Path.Combine(RunFolder, "process-groups");

    private static void WriteGroups(string file)
    {
        var temporary = file + ".tmp";
        File.WriteAllLines(temporary, Groups.Select(g => g.ToString(CultureInfo.InvariantCulture)));
        File.Move(temporary, file, overwrite: true);
    }

    private static void StartWatchdog(string folder)
    {
        var watchdog = new ProcessStartInfo("setsid",
        [
            "bash", "-c", WatchdogScript, "watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            Path.Combine(folder, "process-groups"), folder,
        ])
        {
            // Nothing of the run's own: a runner reading the run's output must not wait for the watchdog's end.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var started = Process.Start(watchdog) ?? throw new InvalidOperationException("the test run's watchdog did not start");
    }

    private static string CreateRunFolder()
    {
        // /tmp itself, not $TMPDIR, which may be long; the postgres user (the server refuses to run as root) must reach
        // its data folder inside.
        var folder = Path.Combine("/tmp", $"sf-test-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        StartWatchdog(folder);
        return folder;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}

/// <summary>The POSIX signal numbers the tests send (Linux values).</summary>
internal static class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;
}
