using System.Diagnostics;

namespace Storefront.Tests.Infrastructure;

/// <summary>
/// The one way tests wait: poll a condition until it holds or a deadline passes, instead of sleeping a fixed time.
/// On a loaded CI machine any fixed sleep is sometimes too short, and a generous one makes every run slow.
/// A timeout throws <see cref="TimeoutException"/> saying what was waited for and what was seen last.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string? because = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, because);

    /// <summary>Exceptions of the <paramref name="tolerating"/> types count as "not yet" (a server still starting).</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string? because = null, params Type[] tolerating) =>
        ValueAsync(condition, done => done, timeout, because, tolerating);

    /// <summary>
    /// Polls <paramref name="probe"/> until <paramref name="done"/> accepts its value, and returns that value; on a
    /// timeout the message shows the last value seen (a job's JSON, a cache header, a process's output).
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string? because = null,
        params Type[] tolerating)
    {
        var started = Stopwatch.GetTimestamp();
        string? lastSeen = null;
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value)) return value;
                // Shown when it says something: not for a bool, nor a type without a ToString of its own.
                var shown = value?.ToString() ?? "null";
                lastSeen = value is bool || shown == value?.GetType().ToString() ? null : $"last seen: {shown}";
            }
            catch (Exception ex) when (tolerating.Any(type => type.IsInstanceOfType(ex)))
            {
                lastSeen = $"last attempt failed: {ex.GetType().Name}: {ex.Message}";
            }
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"Not true within {timeout.TotalSeconds:0.#} s{(because is null ? "" : ": " + because)}."
                    + (lastSeen is null ? "" : $" ({lastSeen})"));
            }
            await Task.Delay(Pause);
        }
    }
}
