namespace Storefront.Api.Dashboard;

/// <summary>
/// Request durations and server errors by route pattern, counted on the thread that ends the request, without a lock,
/// an interlocked operation or a shared cache line: each thread owns running totals that only it writes, and
/// <see cref="Collect"/> (once a second) sums every thread's totals and subtracts the previous sum. That keeps the
/// cost of a watched request far below a shared histogram's (bench/Storefront.Micro; docs/benchmarks-notes.md).
/// </summary>
internal sealed class RequestTally
{
    // The thread's totals for the tally it wrote last, and all its tallies (several hosts share a process in tests).
    [ThreadStatic] private static ThreadTotals? t_last;
    [ThreadStatic] private static List<ThreadTotals>? t_all;

    private readonly Lock _gate = new();
    private readonly List<ThreadTotals> _threads = [];
    // Totals of threads that have exited, folded in so the sums never go back; by route group, like every sum here.
    private readonly Dictionary<string, RouteTotals> _exited = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RouteTotals> _previous = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _groups = new(StringComparer.Ordinal);
    private volatile bool _closed;

    /// <summary>Counts one request. Called on the request's thread by the meter listener.</summary>
    public void Record(string route, double seconds, bool serverError)
    {
        var totals = t_last;
        if (totals is null || totals.Owner != this) totals = Join();
        totals.For(route).Add(LatencyBuckets.Of(seconds), serverError);
    }

    /// <summary>Ends counting: threads drop their totals the next time they record for a tally.</summary>
    public void Close() => _closed = true;

    /// <summary>What every route group counted since the last call (everything, on the first).</summary>
    public Dictionary<string, RequestStats> Collect()
    {
        var sums = new Dictionary<string, RouteTotals>(StringComparer.Ordinal);
        lock (_gate)
        {
            for (var i = _threads.Count - 1; i >= 0; i--)
            {
                var thread = _threads[i];
                var alive = thread.Thread.IsAlive;
                // A thread that has exited wrote its last count before it did: fold it in once and forget it.
                foreach (var (route, totals) in thread.Routes) totals.AddTo(Sum(alive ? sums : _exited, GroupOf(route)));
                if (!alive) _threads.RemoveAt(i);
            }
        }
        foreach (var (group, exited) in _exited) exited.AddTo(Sum(sums, group));

        var second = new Dictionary<string, RequestStats>(StringComparer.Ordinal);
        foreach (var (group, now) in sums)
        {
            second[group] = now.Since(_previous.GetValueOrDefault(group));
            _previous[group] = now;
        }
        return second;
    }

    /// <summary>The route pattern's first segment: "/product/{id}" → "/product"; requests no route matched → "(none)".</summary>
    internal static string RouteGroup(string route)
    {
        if (route.Length == 0) return "(none)";
        var path = route[0] == '/' ? route : "/" + route;
        var end = path.IndexOf('/', 1);
        return end < 0 ? path : path[..end];
    }

    private string GroupOf(string route)
    {
        if (!_groups.TryGetValue(route, out var group)) _groups[route] = group = RouteGroup(route);
        return group;
    }

    private static RouteTotals Sum(Dictionary<string, RouteTotals> sums, string group)
    {
        if (!sums.TryGetValue(group, out var sum)) sums[group] = sum = new RouteTotals();
        return sum;
    }

    private ThreadTotals Join()
    {
        var all = t_all ??= [];
        all.RemoveAll(totals => totals.Owner._closed);
        var mine = all.Find(totals => totals.Owner == this);
        if (mine is null)
        {
            mine = new ThreadTotals(this, Thread.CurrentThread);
            all.Add(mine);
            lock (_gate) _threads.Add(mine);
        }
        return t_last = mine;
    }

    /// <summary>One thread's totals by route pattern. Only the owning thread adds routes or counts.</summary>
    private sealed class ThreadTotals(RequestTally owner, Thread thread)
    {
        // Copied on write (a new route is rare) so the collector can walk it while the thread counts.
        private volatile KeyValuePair<string, RouteTotals>[] _routes = [];

        public RequestTally Owner { get; } = owner;

        public Thread Thread { get; } = thread;

        public KeyValuePair<string, RouteTotals>[] Routes => _routes;

        public RouteTotals For(string route)
        {
            var routes = _routes;
            // The route text is the endpoint's own string, the same instance on every request: compared by reference first.
            foreach (var entry in routes)
                if (ReferenceEquals(entry.Key, route)) return entry.Value;
            foreach (var entry in routes)
                if (string.Equals(entry.Key, route, StringComparison.Ordinal)) return entry.Value;
            var totals = new RouteTotals();
            _routes = [.. routes, new(route, totals)];
            return totals;
        }
    }
}

/// <summary>Running totals of requests by duration bucket, and of server errors.</summary>
internal sealed class RouteTotals
{
    private readonly long[] _buckets = new long[LatencyBuckets.Count];
    private long _errors;

    /// <summary>By the owning thread only: plain increments, read by the collector as whole 64-bit values.</summary>
    public void Add(int bucket, bool serverError)
    {
        _buckets[bucket]++;
        if (serverError) _errors++;
    }

    public void AddTo(RouteTotals sum)
    {
        for (var bucket = 0; bucket < _buckets.Length; bucket++) sum._buckets[bucket] += Volatile.Read(ref _buckets[bucket]);
        sum._errors += Volatile.Read(ref _errors);
    }

    /// <summary>The counts added since <paramref name="previous"/> (a thread's late write may land a second later).</summary>
    public RequestStats Since(RouteTotals? previous)
    {
        var stats = new RequestStats(Math.Max(0, _errors - (previous?._errors ?? 0)));
        for (var bucket = 0; bucket < _buckets.Length; bucket++)
        {
            var count = _buckets[bucket] - (previous?._buckets[bucket] ?? 0);
            if (count > 0) stats.Durations.Add(bucket, count);
        }
        return stats;
    }
}
