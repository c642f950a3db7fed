using Storefront.Api.Http;
using Storefront.Api.Upstreams;

namespace Storefront.Api.Lessons;

public static class LessonsExtensions
{
    public static WebApplicationBuilder AddLessons(this WebApplicationBuilder builder)
    {
        builder.Services.AddJsonTypes(LessonsJsonContext.Default);
        foreach (var source in LessonUpstreams.SourceNames(builder.Configuration))
            builder.Services.AddUpstreamSource(source, LessonUpstreams.Policy);
        builder.Services.AddSingleton<LessonUpstreams>();
        return builder;
    }
}
