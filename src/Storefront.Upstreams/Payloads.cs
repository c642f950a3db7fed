using System.Text.Json.Serialization;

namespace Storefront.Upstreams;

// Deterministic bodies: the same id always gives the same answer, so callers can assert on them.
public sealed record PriceBody(int Id, decimal Price, string Currency);

public sealed record StockBody(int Id, int InStock);

public sealed record RecoBody(int Id, int[] Items);

public sealed record WeatherBody(string City, double TemperatureC, string Conditions);

public sealed record DataBody(string Source, int Value);

public sealed record RouteBehaviorBody(int LatencyMs, int JitterMs, double FailureRate);

public sealed record RouteStatsBody(long Started, long Succeeded, long Failed, long Cancelled);

public sealed record SimulatorErrorBody(string Type, string Title, int Status, string Detail);

internal static class Payloads
{
    private static readonly string[] Conditions = ["sunny", "cloudy", "rain", "wind", "snow"];

    public static PriceBody Price(int id) => new(id, 5m + (id * 37 % 9500) / 100m, "USD");

    public static StockBody Stock(int id) => new(id, id * 13 % 100);

    public static RecoBody Reco(int id) => new(id, [id % 50 + 1, id * 3 % 50 + 1, id * 7 % 50 + 1]);

    public static WeatherBody Weather(string city)
    {
        var hash = 0;
        foreach (var c in city) hash = unchecked(hash * 31 + char.ToLowerInvariant(c));
        hash &= int.MaxValue;
        return new WeatherBody(city, Math.Round(-5 + hash % 400 / 10.0, 1), Conditions[hash % Conditions.Length]);
    }

    public static DataBody Data(string source)
    {
        var value = 0;
        foreach (var c in source) value = unchecked(value * 17 + c) & 0xFFFF;
        return new DataBody(source, value);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PriceBody))]
[JsonSerializable(typeof(StockBody))]
[JsonSerializable(typeof(RecoBody))]
[JsonSerializable(typeof(WeatherBody))]
[JsonSerializable(typeof(DataBody))]
[JsonSerializable(typeof(RouteBehaviorBody))]
[JsonSerializable(typeof(Dictionary<string, RouteBehaviorBody>))]
[JsonSerializable(typeof(Dictionary<string, RouteStatsBody>))]
[JsonSerializable(typeof(SimulatorErrorBody))]
public sealed partial class SimulatorJsonContext : JsonSerializerContext;
