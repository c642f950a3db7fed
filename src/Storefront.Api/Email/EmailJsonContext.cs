namespace Storefront.Api.Email;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EmailQueuedResponse))]
[JsonSerializable(typeof(WelcomeEmailPayload))]
[JsonSerializable(typeof(SendEmailPayload))]
[JsonSerializable(typeof(OrderConfirmationPayload))]
[JsonSerializable(typeof(PasswordRecoveryPayload))]
[JsonSerializable(typeof(AlreadyRegisteredPayload))]
internal sealed partial class EmailJsonContext : JsonSerializerContext;
