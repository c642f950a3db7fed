using System.Text.Json.Serialization;

namespace Storefront.Api.Email;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EmailQueuedResponse))]
[JsonSerializable(typeof(WelcomeEmailPayload))]
[JsonSerializable(typeof(SendEmailPayload))]
[JsonSerializable(typeof(OrderConfirmationPayload))]
internal sealed partial class EmailJsonContext : JsonSerializerContext;
