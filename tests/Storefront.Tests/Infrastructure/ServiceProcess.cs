using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The built service as a real operating-system process (<c>dotnet Storefront.Api.dll</c>), so tests can kill it
/// with SIGKILL or stop it with SIGTERM exactly as an orchestrator would.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private readonly IReadOnlyDictionary<string, string?> _environment;

    private ServiceProcess(Process process, int port, IReadOnlyDictionary<string, string?> environment)
    {
        _process = process;
        _environment = environment;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>
    /// How the service is started, relative to its published folder: the container image's entry point and the
    /// systemd unit run the same (tests/Storefront.Tests/Deploy checks that they do).
    /// </summary>
    public static IReadOnlyList<string> Command { get; } = ["dotnet", "Storefront.Api.dll"];

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Command[0], [Path.Combine(AppContext.BaseDirectory, Command[1])])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Jwt__SigningKey"] = StorefrontFactory.SigningKey;
        start.Environment["Upstreams__UseSimulator"] = "true"; // Production: the simulator must be asked for.
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var service = new ServiceProcess(ProcessGroups.Start(start), port, new Dictionary<string, string?>(start.Environment));
        service._process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            // Refused connections and 2 s client timeouts mean "still starting"; an exit ends the wait at once.
            await Eventually.TrueAsync(async () =>
            {
                if (service._process.HasExited)
                {
                    await service._process.WaitForExitAsync(); // Also waits for the last output lines to be read.
                    throw new InvalidOperationException($"The service exited at startup:\n{service.Output}");
                }
                return (await client.GetAsync("/health/live")).IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), "the service answers /health/live", typeof(HttpRequestException), typeof(TaskCanceledException));
        }
        catch (TimeoutException e)
        {
            await service.DisposeAsync();
            throw new TimeoutException($"{e.Message} The service did not start:\n{service.Output}", e);
        }
        return service;
    }

    /// <summary>
    /// Runs one of the service's commands (<c>users grant NAME admin</c>, <c>migrate</c>) as an operator would: the same
    /// binary and settings as this instance, so against the same store. Its exit code and everything it printed.
    /// </summary>
    public Task<(int ExitCode, string Output)> RunCommandAsync(params string[] args) => RunAsync(_environment, args);

    /// <summary>Runs <c>dotnet Storefront.Api.dll</c> with these arguments and settings (no service is started by a command).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Command[0], [Path.Combine(AppContext.BaseDirectory, Command[1]), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an out-of-memory kill.</summary>
    public async Task KillAsync()
    {
        await ProcessGroups.KillAsync(_process);
    }

    /// <summary>SIGTERM, as `docker stop` or Kubernetes send; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Terminate();
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Sends SIGTERM without waiting, for tests that watch the instance while it stops.</summary>
    public void Terminate()
    {
        if (SendSignal(_process.Id, 15) != 0) throw new InvalidOperationException("kill(SIGTERM) failed");
    }

    /// <summary>Waits for the process to end (and its last output lines to be read); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}

/// <summary>An SMTP "server" that accepts connections and never answers: a send to it hangs until its timeout.</summary>
public sealed class HangingSmtpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();

    public HangingSmtpServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections
    {
        get { lock (_held) return _held.Count; }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held) _held.ForEach(c => c.Dispose());
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_held) _held.Add(client);
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }
}
