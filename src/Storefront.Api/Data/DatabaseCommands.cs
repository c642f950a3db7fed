namespace Storefront.Api.Data;

/// <summary>
/// The service's command-line verbs: <c>migrate</c> (apply pending schema migrations, the production step)
/// and <c>seed</c> (add the sample catalog when it is empty). Both use the same configuration as the service.
/// </summary>
public static class DatabaseCommands
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "migrate" or "seed";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        var provider = app.Services.GetRequiredService<DatabaseProvider>();
        var result = await migrator.MigrateAsync(stopping);
        Console.WriteLine($"{provider.Kind}: applied {result.Applied.Count} migration(s); schema at version {migrator.All[^1].Version}.");
        if (args[0] == "seed")
        {
            foreach (var sample in app.Services.GetServices<ISampleData>())
            {
                var added = await sample.SeedAsync(stopping);
                Console.WriteLine(added > 0 ? $"Added {added} {sample.Name}." : $"There are {sample.Name} already; nothing added.");
            }
        }
        return 0;
    }
}
