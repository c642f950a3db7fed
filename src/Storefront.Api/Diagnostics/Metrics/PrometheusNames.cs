namespace Storefront.Api.Diagnostics.Metrics;

/// <summary>OpenTelemetry-style instrument names (dots, dashes, units apart) to Prometheus names.</summary>
internal static class PrometheusNames
{
    private const string TotalSuffix = "_total";

    /// <summary><c>storefront.http.request.duration</c> in <c>s</c> → <c>storefront_http_request_duration_seconds</c>; counters end in <c>_total</c>.</summary>
    public static string ForInstrument(string instrumentName, string? unit, MetricType type)
    {
        var name = SanitizeMetricName(instrumentName);
        var isCounter = type == MetricType.Counter;
        // The unit goes before _total (x_seconds_total), so take a given _total off first.
        if (isCounter && name.EndsWith(TotalSuffix, StringComparison.Ordinal)) name = name[..^TotalSuffix.Length];
        var unitSuffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => null,
        };
        if (unitSuffix is not null && !name.EndsWith(unitSuffix, StringComparison.Ordinal)) name += unitSuffix;
        return isCounter ? name + TotalSuffix : name;
    }

    /// <summary>Metric names allow <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static string SanitizeMetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>Label names are stricter than metric names: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, no colon.</summary>
    public static string SanitizeLabelName(string name) => Sanitize(name, allowColon: false);

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0) return "_";
        var leadingDigit = char.IsAsciiDigit(name[0]);
        if (!leadingDigit && IsValid(name, allowColon)) return name;
        // A leading digit gets a '_' in front rather than being replaced, so "5xx" and "_xx" stay distinct.
        return string.Create(name.Length + (leadingDigit ? 1 : 0), (name, allowColon, leadingDigit), static (span, state) =>
        {
            var offset = 0;
            if (state.leadingDigit) span[offset++] = '_';
            foreach (var c in state.name) span[offset++] = IsNameChar(c, state.allowColon) ? c : '_';
        });
    }

    private static bool IsValid(string name, bool allowColon)
    {
        foreach (var c in name)
            if (!IsNameChar(c, allowColon)) return false;
        return true;
    }

    private static bool IsNameChar(char c, bool allowColon) => char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
}
