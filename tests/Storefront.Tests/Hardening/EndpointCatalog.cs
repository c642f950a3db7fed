using System.Reflection;
using System.Security.Claims;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Storefront.Tests.Hardening;

/// <summary>One value a client sends: a path segment, a query value, a JSON property or a form field.</summary>
internal sealed record InputField(string Name, Type Type, bool Optional = false)
{
    public Type Underlying => Nullable.GetUnderlyingType(Type) ?? Type;
    public bool IsInteger => Underlying == typeof(int) || Underlying == typeof(long) || Underlying == typeof(short);
    public bool IsDecimal => Underlying == typeof(decimal) || Underlying == typeof(double) || Underlying == typeof(float);
    public bool IsNumber => IsInteger || IsDecimal;
}

internal enum BodyKind { None, Json, Form }

/// <summary>An endpoint of the service and every input it takes, as its own metadata describes them.</summary>
internal sealed record InputEndpoint(
    string Method, string Route, IReadOnlyList<InputField> Path, IReadOnlyList<InputField> Query,
    BodyKind Body, Type? BodyType, IReadOnlyList<InputField> BodyFields, bool RequiresUser, IReadOnlyList<string> ClrNames)
{
    /// <summary>A JSON body bound to a record (not a free-form <see cref="JsonElement"/>): its numbers must be JSON numbers.</summary>
    public bool HasTypedJsonBody => Body == BodyKind.Json && BodyType != typeof(JsonElement);

    public override string ToString() => $"{Method} {Route}";
}

/// <summary>
/// Reads the running app's endpoints (EndpointDataSource) and, from the metadata minimal APIs attach to each, which
/// path, query, JSON and form inputs it takes: a new endpoint is in the corpus without anyone listing it.
/// </summary>
internal static class EndpointCatalog
{
    private static readonly HashSet<Type> Ambient =
    [
        typeof(HttpContext), typeof(HttpRequest), typeof(HttpResponse), typeof(CancellationToken), typeof(ClaimsPrincipal),
        typeof(Stream), typeof(System.IO.Pipelines.PipeReader), typeof(IFormFile), typeof(IFormFileCollection), typeof(IFormCollection),
    ];

    public static IReadOnlyList<InputEndpoint> TakingInput(IServiceProvider services) =>
        [.. All(services).Where(e => e.Path.Count + e.Query.Count > 0 || e.Body != BodyKind.None)];

    public static IReadOnlyList<InputEndpoint> All(IServiceProvider services)
    {
        var isService = services.GetRequiredService<IServiceProviderIsService>();
        var json = services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        var endpoints = new List<InputEndpoint>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            // The service's own handlers. The framework's (the OpenAPI document) answer in their own way.
            var handler = endpoint.Metadata.GetMetadata<MethodInfo>();
            if (handler?.DeclaringType?.Assembly != typeof(Program).Assembly) continue;

            var path = new List<InputField>();
            var query = new List<InputField>();
            var form = new List<InputField>();
            var clrNames = new List<string>();
            Type? bodyType = null;
            foreach (var parameter in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
            {
                var info = parameter.ParameterInfo;
                var type = info.ParameterType;
                if (Ambient.Contains(type) || isService.IsService(type)) continue;
                clrNames.Add(info.Name!);
                clrNames.Add(type.Name);
                if (Nullable.GetUnderlyingType(type) is { } underlying) clrNames.Add(underlying.Name);
                var attributes = info.GetCustomAttributes(inherit: true);
                var fromRoute = attributes.OfType<IFromRouteMetadata>().FirstOrDefault();
                var fromQuery = attributes.OfType<IFromQueryMetadata>().FirstOrDefault();
                var fromForm = attributes.OfType<IFromFormMetadata>().FirstOrDefault();
                if (fromForm is not null) form.Add(new InputField(fromForm.Name ?? info.Name!, type));
                else if (attributes.OfType<IFromBodyMetadata>().Any()) bodyType = type;
                else if (fromRoute is not null || endpoint.RoutePattern.GetParameter(info.Name!) is not null)
                    path.Add(new InputField(fromRoute?.Name ?? info.Name!, type));
                else if (fromQuery is not null || IsSimple(type)) query.Add(new InputField(fromQuery?.Name ?? info.Name!, type, parameter.IsOptional));
                else bodyType = type;
            }

            var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
            bodyType ??= accepts?.RequestType;
            var kind = form.Count > 0 || accepts?.ContentTypes.Any(t => t.Contains("form", StringComparison.Ordinal)) == true ? BodyKind.Form
                : bodyType is not null ? BodyKind.Json
                : BodyKind.None;
            IReadOnlyList<InputField> bodyFields = kind switch
            {
                BodyKind.Form when form.Count > 0 => form,
                BodyKind.Form or BodyKind.Json when bodyType is not null && bodyType != typeof(JsonElement) => PropertiesOf(json, bodyType),
                _ => [],
            };
            if (bodyType is not null) clrNames.Add(bodyType.Name);

            var requiresUser = endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
            // HEAD answers as GET does, without the body the corpus inspects (HeadRequestTests checks that pairing).
            foreach (var method in (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m != HttpMethods.Head))
                endpoints.Add(new InputEndpoint(method, "/" + endpoint.RoutePattern.RawText!.Trim('/'), path, query, kind, bodyType,
                    bodyFields, requiresUser, [.. clrNames.Distinct()]));
        }
        return endpoints;
    }

    private static List<InputField> PropertiesOf(JsonSerializerOptions json, Type type)
    {
        var info = json.GetTypeInfo(type);
        return info.Kind == JsonTypeInfoKind.Object ? [.. info.Properties.Select(p => new InputField(p.Name, p.PropertyType))] : [];
    }

    private static bool IsSimple(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal) ||
               underlying == typeof(Guid) || underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset);
    }
}
