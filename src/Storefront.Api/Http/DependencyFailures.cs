using System.Data.Common;

namespace Storefront.Api.Http;

/// <summary>
/// The exceptions that mean "a dependency cannot answer right now", not "this code is wrong": the database stopped,
/// restarting or refusing connections. Each is a 503 with Retry-After (the client should come back shortly, and a
/// balancer may try another instance), never a 500 that pages someone for an outage they already know about.
/// Provider-neutral: ADO.NET's own <see cref="DbException.IsTransient"/> and SQLSTATE, wherever EF Core wrapped them.
/// </summary>
internal static class DependencyFailures
{
    public const int RetryAfterSeconds = 2;

    public const string DatabaseDetail = "The database is unavailable right now; try again in a few seconds.";

    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException database && (database.IsTransient || IsShutdownOrConnection(database.SqlState)))
                return true;
            if (current is Npgsql.NpgsqlException && current is not Npgsql.PostgresException && IsNoSuitableHost(current))
                return true;
            // Npgsql's multi-host pool wraps the failure of each server it tried in one AggregateException.
            if (current is AggregateException { InnerExceptions.Count: > 0 } each && each.InnerExceptions.All(IsUnavailable))
                return true;
        }
        return false;
    }

    // Class 08 (connection exceptions), 57P01–57P03 (the server is shutting down, crashed, or not accepting
    // connections yet): what a pooled connection reports first when PostgreSQL stops or restarts under it. 25006
    // (read-only transaction): a write reached a server that is a standby now, the moment a failover turns roles round.
    private static bool IsShutdownOrConnection(string? sqlState) =>
        sqlState is not null && (sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState is "57P01" or "57P02" or "57P03" or "25006");

    // With several servers and none of them a primary (the primary died, the standby not promoted yet), Npgsql knows every
    // server's role and finds none that fits: it says so with this message and no inner exception or SQLSTATE.
    private static bool IsNoSuitableHost(Exception exception) =>
        exception.InnerException is null && exception.Message.StartsWith("No suitable host", StringComparison.Ordinal);
}
