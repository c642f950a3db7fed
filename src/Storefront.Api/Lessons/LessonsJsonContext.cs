using System.Text.Json.Serialization;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(SlowResponse))]
[JsonSerializable(typeof(MultiResponse))]
[JsonSerializable(typeof(MultiFetchResponse))]
[JsonSerializable(typeof(RawJson?[]))]
internal sealed partial class LessonsJsonContext : JsonSerializerContext;
