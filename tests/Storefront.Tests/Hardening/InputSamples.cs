using System.Globalization;

namespace Storefront.Tests.Hardening;

/// <summary>
/// A valid value for each input, so that a corpus request that breaks one input keeps the others valid and reaches
/// as deep into the endpoint as that one input lets it. Unknown names fall back to a value of their type; the corpus
/// test fails if an endpoint refuses its own sample, which is the prompt to add a line here.
/// </summary>
internal sealed class InputSamples(string loginUsername)
{
    /// <summary>
    /// What the samples send for a secret the request must prove it knows (the current password, a mailed reset token):
    /// no sample can know one, so these endpoints' baselines are refused naming that field alone (InputCorpusTests).
    /// </summary>
    public const string WrongSecret = "not a secret anyone was given";

    public static readonly IReadOnlySet<string> SecretFields = new HashSet<string> { "current_password", "token" };

    public const string FreeFormJson = """{"event": "corpus", "count": 1}""";

    /// <summary>The fields of a free-form JSON body (<see cref="JsonElement"/>), as in <see cref="FreeFormJson"/>.</summary>
    public static readonly IReadOnlyList<InputField> FreeFormFields = [new("event", typeof(string)), new("count", typeof(int))];

    /// <summary>The value as it appears in a URL or a form (not yet percent-encoded).</summary>
    public string Text(InputEndpoint endpoint, InputField field) => field.Name.ToLowerInvariant() switch
    {
        "username" when endpoint.Body == BodyKind.Form => loginUsername,
        "username" => TestAccounts.NewUsername(),
        "email" => $"{TestAccounts.NewUsername()}@example.com",
        "password" => TestAccounts.Password,
        "new_password" => "another fine passphrase",
        // Wrong on purpose: a right one would change the corpus user's password and end the token the corpus sends.
        "current_password" => WrongSecret,
        "token" => WrongSecret,
        "name" => "Corpus lamp",
        "description" => "Made by the input corpus",
        "text" => "I love this lamp",
        "data" => "hello",
        "job_id" => "0123456789abcdef0123456789abcdef",
        "seconds" => "0",
        "skip" => "0",
        "limit" => "5",
        "size" => "2",
        "price" => "9.99",
        "sort" => "price",
        "q" => "lamp",
        "in_stock" => "5",
        "quantity" => "1",
        "event" => "corpus",
        _ when field.IsInteger => "1",
        _ when field.IsDecimal => "1.5",
        _ when field.Underlying == typeof(bool) => "true",
        _ => "sample",
    };

    /// <summary>
    /// Inputs with no valid value of their own to send in every request: an opaque cursor is valid only as a previous
    /// page's <c>next</c>. Sent only when they are the input under test.
    /// </summary>
    public static bool SentOnlyUnderTest(InputField field) => field.Name.Equals("after", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value as a JSON literal.</summary>
    public string Json(InputEndpoint endpoint, InputField field) =>
        field.Name.Equals("lines", StringComparison.OrdinalIgnoreCase) ? """[{"item_id": 1, "quantity": 1}]"""
        : field.IsNumber ? Text(endpoint, field)
        : field.Underlying == typeof(bool) ? "true"
        : field.Underlying == typeof(string) ? JsonSerializer.Serialize(Text(endpoint, field))
        : "null";

    public static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
