using Storefront.Api.Http;

namespace Storefront.Api.Lessons;

public static class LessonsExtensions
{
    public static WebApplicationBuilder AddLessons(this WebApplicationBuilder builder)
    {
        builder.Services.AddJsonTypes(LessonsJsonContext.Default);
        builder.Services.AddSingleton<LessonUpstreams>();
        return builder;
    }
}
