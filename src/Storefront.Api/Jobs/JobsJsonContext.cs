using System.Text.Json;

namespace Storefront.Api.Jobs;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(LogQueuedResponse))]
[JsonSerializable(typeof(JobResponse))]
[JsonSerializable(typeof(JobStatusResponse))]
internal sealed partial class JobsJsonContext : JsonSerializerContext;
