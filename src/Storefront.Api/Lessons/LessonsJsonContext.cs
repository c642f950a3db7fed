namespace Storefront.Api.Lessons;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(SlowResponse))]
[JsonSerializable(typeof(MultiResponse))]
[JsonSerializable(typeof(Storefront.Api.Upstreams.RawJson[]))]
[JsonSerializable(typeof(FailedSource))]
[JsonSerializable(typeof(MultiFetchResponse))]
internal sealed partial class LessonsJsonContext : JsonSerializerContext;
