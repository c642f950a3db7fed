namespace Storefront.Train;

/// <summary>
/// Trains the sentiment model that src/Storefront.Api ships: <c>dotnet run --project src/Storefront.Train</c>.
/// A Main method rather than top-level statements, which would declare a second global <c>Program</c> that the tests
/// (they see this assembly's internals) could not tell from the service's.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => TrainCommand.RunAsync(args, Console.Out);
}
