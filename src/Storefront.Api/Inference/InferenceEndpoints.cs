using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Storefront.Api.Compute;
using Storefront.Api.Http;
using Storefront.Api.Inference.Sentiment;

namespace Storefront.Api.Inference;

public sealed record PredictRequest(string? Text);

public sealed record PredictResponse(string Prediction, double Score);

/// <summary>CPU-bound endpoints: the work runs on dedicated workers; the request thread only awaits it.</summary>
public static class InferenceEndpoints
{
    public const int MaxTextLength = 5000;

    public static RouteGroupBuilder MapInference(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Inference").WithValidation();
        group.MapPost("/predict", Predict).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Sentiment of a text (JSON body {\"text\"} or ?text=), computed off the request threads");
        group.MapGet("/qr", Qr).ProducesProblem(StatusCodes.Status503ServiceUnavailable).WithSummary("A QR code as PNG, rendered off the request threads")
            .Produces(StatusCodes.Status200OK, contentType: "image/png");
        return group;
    }

    private static async Task<Results<JsonOk<PredictResponse>, ValidationProblem, ProblemHttpResult>> Predict(
        [FromQuery(Name = "text")] string? queryText,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] PredictRequest? body,
        HttpContext context, PredictionRunner predictions, CancellationToken cancellationToken)
    {
        var text = queryText ?? body?.Text;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
            return Problems.Invalid("text", $"Required: 1 to {MaxTextLength} characters.");
        if (ValidationErrors.HasNul(text)) return Problems.Invalid("text", ValidationErrors.NulMessage);
        try
        {
            var prediction = await predictions.PredictAsync(text, cancellationToken);
            return JsonOk.Of(new PredictResponse(prediction.Label, Math.Round(prediction.Score, 4)));
        }
        catch (Exception ex) when (ex is CpuSaturatedException or TimeoutException)
        {
            return Problems.TooBusy(context, "The predict workers are saturated; retry shortly.");
        }
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Qr(
        [AsParameters] QrQuery query, HttpContext context, QrRunner qr, CancellationToken cancellationToken)
    {
        try
        {
            var png = await qr.RenderAsync(new QrRequest(query.Data!, query.Size ?? QrCodes.DefaultSize), cancellationToken);
            return TypedResults.File(png, "image/png");
        }
        catch (Exception ex) when (ex is CpuSaturatedException or TimeoutException)
        {
            return Problems.TooBusy(context, "The qr workers are saturated; retry shortly.");
        }
    }
}

/// <summary><c>/qr?data=&amp;size=</c>.</summary>
public sealed record QrQuery(string? Data, int? Size) : IValidatable
{
    public Dictionary<string, string[]>? Validate() => new ValidationErrors()
        .Check(!string.IsNullOrEmpty(Data) && Data.Length <= QrCodes.MaxDataLength, "data", $"Required: 1 to {QrCodes.MaxDataLength} characters.")
        .Check(Data is null || Data.Length > QrCodes.MaxDataLength || QrCodes.EncodedBytes(Data) <= QrCodes.MaxDataBytes, "data",
            $"Too much to fit in a QR code: at most {QrCodes.MaxDataBytes} bytes once encoded (UTF-8 unless every character is Latin-1).")
        .CheckText(Data, "data")
        .Check(Size is null or (>= QrCodes.MinSize and <= QrCodes.MaxSize), "size", $"Pixels per module: {QrCodes.MinSize} to {QrCodes.MaxSize}.")
        .ToDictionary();
}
