using Storefront.Api.Data;

namespace Storefront.Api.Accounts;

/// <summary>
/// The operator's role commands, against whichever store the settings name (as <c>migrate</c> and <c>seed</c>):
/// <c>users grant NAME ROLE</c>, <c>users revoke NAME ROLE</c>, <c>users list</c>. Roles are never given any other way:
/// registering a name grants nothing.
/// </summary>
public static class UserCommands
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "users";

    private static readonly string Usage =
        $"Usage: users grant <username> <role> | users revoke <username> <role> | users list   (roles: {string.Join(", ", Roles.All)})";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        if (await SchemaProblemAsync(app, stopping) is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return 1;
        }
        var roles = app.Services.GetRequiredService<UserRoles>();
        switch (args)
        {
            case ["users", "list"]:
                var holders = await roles.ListAsync(stopping);
                if (holders.Count == 0) Console.WriteLine("No user holds a role. Grant one: users grant <username> admin");
                foreach (var (username, role) in holders) Console.WriteLine($"{username}\t{role}");
                return 0;
            case ["users", var verb and ("grant" or "revoke"), var username, var role]:
                if (!Roles.All.Contains(role))
                {
                    await Console.Error.WriteLineAsync($"Unknown role '{role}'. Roles: {string.Join(", ", Roles.All)}.");
                    return 2;
                }
                var found = verb == "grant" ? await roles.GrantAsync(username, role, stopping) : await roles.RevokeAsync(username, role, stopping);
                if (!found)
                {
                    await Console.Error.WriteLineAsync($"No user '{username}': the user registers first (POST /register), then is granted the role.");
                    return 1;
                }
                Console.WriteLine(verb == "grant" ? $"{username} holds {role}." : $"{username} no longer holds {role} (other instances stop honouring it within Accounts__RoleCacheSeconds).");
                return 0;
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }

    /// <summary>
    /// An existing embedded store is brought up to date as the service would at startup; PostgreSQL must be migrated
    /// first. A store not created yet is left to the service's first start, which also adds the sample data (it does so
    /// only when it creates the schema): there is nobody to grant a role to before that anyway.
    /// </summary>
    private static async Task<string?> SchemaProblemAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var provider = app.Services.GetRequiredService<DatabaseProvider>();
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        var status = await migrator.GetStatusAsync(cancellationToken);
        if (provider.IsEmbedded && status.CurrentVersion == 0)
            return "The embedded store does not exist yet: start the service once (it creates the store), register the user, then grant.";
        if (provider.IsEmbedded)
        {
            if (status.Pending.Count > 0) await migrator.MigrateAsync(cancellationToken);
            return null;
        }
        return status.Pending.Count == 0 ? null
            : $"The {provider.Kind} database is at schema version {status.CurrentVersion}; run the migrate command first (dotnet Storefront.Api.dll migrate).";
    }
}
