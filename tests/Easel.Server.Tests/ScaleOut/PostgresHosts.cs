using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Npgsql;

namespace Easel.Server.Tests.ScaleOut;

/// <summary>Easel hosts in scale-out mode, on a database of the run's throwaway PostgreSQL cluster.</summary>
public static class PostgresHosts
{
    /// <summary>One node; pass the same connection string and data directory to make more nodes of one deployment.</summary>
    public static EaselHost Node(string connectionString, string nodeId, string? dataDirectory = null, int workers = 2) =>
        new(new Dictionary<string, string?>
        {
            ["Easel:Database:Provider"] = "postgres",
            ["Easel:Database:ConnectionString"] = connectionString,
            ["Easel:NodeId"] = nodeId,
            ["Easel:Workers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, dataDirectory);

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
