using Storefront.Api.Compute;
using Storefront.Api.Http;

namespace Storefront.Api.Inference;

public static class InferenceExtensions
{
    public static WebApplicationBuilder AddInference(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<InferenceOptions>(InferenceOptions.Section);
        services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        services.AddJsonTypes(InferenceJsonContext.Default);
        services.AddSingleton(sp => SentimentClassifier.Open(sp.GetRequiredService<IOptions<InferenceOptions>>()));
        services.AddSingleton<ITextClassifier>(sp => sp.GetRequiredService<SentimentClassifier>());
        services.AddSingleton<PredictionRunner>();
        services.AddSingleton<QrRunner>();
        // Their instruments read the runners, so the workers start and the model file is checked with the host, before
        // requests arrive: a missing or broken model file stops the service at once (the model itself loads on first use).
        services.AddCpuRunnerMetrics<PredictionRunner>(predictions => predictions.Runner);
        services.AddCpuRunnerMetrics<QrRunner>(qr => qr.Runner);
        return builder;
    }
}
