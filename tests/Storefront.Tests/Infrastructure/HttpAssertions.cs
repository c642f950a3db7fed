namespace Storefront.Tests.Infrastructure;

internal static class HttpAssertions
{
    /// <summary>Asserts the Problem Details shape every error must have, and returns it.</summary>
    public static async Task<Problem> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        var problem = json.Deserialize<Problem>(Answers)! with { Json = json };
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Title));
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        Assert.False(string.IsNullOrWhiteSpace(problem.Type));
        Assert.False(string.IsNullOrWhiteSpace(problem.TraceId));
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // No stack trace ever reaches a client.
        response.ShouldHaveProcessTime();
        response.ShouldSayNoSniff();
        return problem;
    }

    /// <summary>Asserts a 400 whose <c>errors</c> names the field.</summary>
    public static async Task<Problem> ShouldBeValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        string[]? messages = null;
        Assert.True(problem.Errors?.TryGetValue(field, out messages) == true, $"errors should name '{field}': {problem.Json}");
        Assert.NotEmpty(messages!);
        return problem;
    }

    public static double ShouldHaveProcessTime(this HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("X-Process-Time", out var values), "X-Process-Time is missing");
        var seconds = double.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 0, 600);
        return seconds;
    }

    /// <summary>Browsers must take the declared Content-Type at its word, never guess HTML or script from the bytes.</summary>
    public static void ShouldSayNoSniff(this HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var values),
            $"X-Content-Type-Options is missing on {(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}");
        Assert.Equal("nosniff", values.Single());
    }

    public static async Task<JsonElement> ShouldBeJsonAsync(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        response.ShouldHaveProcessTime();
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>
    /// The body read as the service's own response record: snake_case as it writes it, and as strict as reading each
    /// property by hand (a constructor parameter missing from the body, or a null where none may be, fails).
    /// </summary>
    public static async Task<T> ShouldBeJsonAsync<T>(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.ShouldBeJsonAsync(status);
        return body.Deserialize<T>(Answers) ?? throw new Xunit.Sdk.XunitException($"The body is null, not a {typeof(T).Name}");
    }

    internal static readonly JsonSerializerOptions Answers = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public static Task<HttpResponseMessage> PostJsonTextAsync(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PutJsonTextAsync(this HttpClient client, string url, string json) =>
        client.PutAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}
