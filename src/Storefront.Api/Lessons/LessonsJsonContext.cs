using System.Text.Json.Serialization;

namespace Storefront.Api.Lessons;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(SlowResponse))]
[JsonSerializable(typeof(MultiResponse))]
[JsonSerializable(typeof(WeatherResponse))]
[JsonSerializable(typeof(MultiFetchResponse))]
internal sealed partial class LessonsJsonContext : JsonSerializerContext;
