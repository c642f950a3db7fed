namespace Storefront.Tests.Infrastructure;

/// <summary>
/// Waits for a condition instead of sleeping a fixed time: on a loaded CI machine any fixed sleep is
/// sometimes too short, and a generous one makes every run slow.
/// </summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string? because = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not true within {timeout.TotalSeconds:0.#} s{(because is null ? "" : ": " + because)}.");
            await Task.Delay(20);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string? because = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not true within {timeout.TotalSeconds:0.#} s{(because is null ? "" : ": " + because)}.");
            await Task.Delay(50);
        }
    }
}
