using System.Text.Json;
using System.Text.Json.Serialization;
using Storefront.Api.Caching;
using Storefront.Api.Catalog;
using Storefront.Api.Email;
using Storefront.Api.Jobs;
using Storefront.Api.Lessons;
using Storefront.Api.Products;
using Storefront.Api.Upstreams;
using Storefront.Api.Users;

namespace Storefront.Api.Http;

/// <summary>Source-generated JSON for every request and response type: no reflection on hot paths.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(RawJson?[]))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(SlowResponse))]
[JsonSerializable(typeof(MultiResponse))]
[JsonSerializable(typeof(MultiFetchResponse))]
[JsonSerializable(typeof(ItemRequest))]
[JsonSerializable(typeof(ItemResponse))]
[JsonSerializable(typeof(ItemListResponse))]
[JsonSerializable(typeof(ProductResponse))]
[JsonSerializable(typeof(DataSummary))]
[JsonSerializable(typeof(CatalogSummary))]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(UserListResponse))]
[JsonSerializable(typeof(EmailQueuedResponse))]
[JsonSerializable(typeof(LogQueuedResponse))]
[JsonSerializable(typeof(JobResponse))]
[JsonSerializable(typeof(WelcomeEmailPayload))]
[JsonSerializable(typeof(SendEmailPayload))]
public sealed partial class AppJsonContext : JsonSerializerContext;
