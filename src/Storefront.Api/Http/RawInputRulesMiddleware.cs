namespace Storefront.Api.Http;

/// <summary>Answers 400 when a path or query value breaks its endpoint's <see cref="RawInputRules"/>.</summary>
internal sealed class RawInputRulesMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RawInputRules>() is { } rules && rules.Check(context.Request) is { } errors)
            return ValidationExtensions.Invalid(errors).ExecuteAsync(context);
        return next(context);
    }
}
