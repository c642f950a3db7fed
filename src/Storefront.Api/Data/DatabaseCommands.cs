namespace Storefront.Api.Data;

/// <summary>
/// The service's command-line verbs: <c>migrate</c> (apply pending schema migrations, the production step)
/// and <c>seed</c> (add the sample catalog when it is empty; <c>seed --items N</c> then tops the catalog up to N
/// generated items, in bulk). Both use the same configuration as the service.
/// </summary>
public static class DatabaseCommands
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "migrate" or "seed";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        var provider = app.Services.GetRequiredService<DatabaseProvider>();
        MigrationResult result;
        try
        {
            result = await migrator.MigrateAsync(stopping);
        }
        catch (MigrationChecksumException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message); // one line: the file and both checksums say what to do
            return 1;
        }
        Console.WriteLine($"{provider.Kind}: applied {result.Applied.Count} migration(s); schema at version {migrator.All[^1].Version}.");
        if (args[0] == "seed")
        {
            foreach (var sample in app.Services.GetServices<ISampleData>())
            {
                var added = await sample.SeedAsync(stopping);
                Console.WriteLine(added > 0 ? $"Added {added} {sample.Name}." : $"There are {sample.Name} already; nothing added.");
            }
            foreach (var bulk in app.Services.GetServices<IBulkSampleData>())
            {
                if (Target(args, bulk.OptionName) is not { } target) continue;
                var added = await bulk.SeedToAsync(target, stopping);
                Console.WriteLine($"Added {added} generated {bulk.OptionName}; there are at least {target} now.");
            }
        }
        return 0;
    }

    private static long? Target(string[] args, string option)
    {
        var index = Array.IndexOf(args, $"--{option}");
        if (index < 0) return null;
        if (index + 1 < args.Length && long.TryParse(args[index + 1], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var target) && target <= 100_000_000)
            return target;
        throw new ArgumentException($"--{option} needs a whole number of 0 to 100000000, e.g. seed --{option} 1000000.");
    }
}
