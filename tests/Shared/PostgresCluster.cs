using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Easel.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for one test run: initdb into a temporary directory, started on a free loopback
/// port, a fresh database per test, stopped and deleted when the run ends. Missing PostgreSQL fails the tests that
/// need it, with the reason; it never skips them. Compiled into each test project that needs it (tests/Shared).
/// </summary>
/// <remarks>
/// initdb refuses to run as root, and CI runs as root: then the cluster belongs to the postgres user and its
/// commands run through runuser. A run that dies without cleaning up leaves a directory that the next run stops
/// and deletes (its owner.pid names a process that no longer exists).
/// </remarks>
public sealed class PostgresCluster : IAsyncLifetime
{
    public const string Collection = "PostgreSQL";

    private const string Prefix = "easel-pg-";
    private const string User = "easel";

    private string _root = "";
    private string _bin = "";
    private bool _asPostgresUser;

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        _bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server programs (initdb, pg_ctl) were not found in `pg_config --bindir` or /usr/lib/postgresql/*/bin. " +
            "The PostgreSQL tests need them: install the Debian package postgresql (.ci/install-packages does).");
        _asPostgresUser = Environment.UserName == "root";
        await RemoveAbandonedClustersAsync();

        _root = Directory.CreateTempSubdirectory(Prefix).FullName;
        await File.WriteAllTextAsync(Path.Combine(_root, "owner.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _root]);
        }
        await RunPostgresAsync("initdb", ["-D", DataDirectory, "-A", "trust", "-U", User, "-E", "UTF8", "--no-sync", "--no-instructions"]);
        Port = FreePort();
        // Durability is not under test here, speed is: no fsync. Loopback only, and a socket directory of our own.
        await RunPostgresAsync("pg_ctl",
        [
            "-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ]);
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    private string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username={User};Database={database}";

    public async Task DisposeAsync()
    {
        if (_root.Length == 0)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        Directory.Delete(_root, recursive: true);
    }

    private async Task RemoveAbandonedClustersAsync()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.Combine(directory, "owner.pid");
            if (!File.Exists(owner) || !int.TryParse(await File.ReadAllTextAsync(owner), out var pid) || IsAlive(pid))
            {
                continue;
            }
            var data = Path.Combine(directory, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                await RunPostgresAsync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], mustSucceed: false);
            }
            Directory.Delete(directory, recursive: true);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? FindBinDirectory()
    {
        var candidates = new List<string>();
        try
        {
            candidates.Add(RunForOutput("pg_config", "--bindir"));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config on the PATH (it comes with libpq-dev or postgresql): fall back to Debian's layout.
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.EnumerateDirectories("/usr/lib/postgresql").OrderDescending().Select(v => Path.Combine(v, "bin")));
        }
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static string RunForOutput(string program, string argument)
    {
        using var process = Process.Start(new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    private Task RunPostgresAsync(string program, IReadOnlyList<string> arguments, bool mustSucceed = true) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments], mustSucceed)
            : RunAsync(Path.Combine(_bin, program), arguments, mustSucceed);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool mustSucceed = true)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (mustSucceed && process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{program} {string.Join(' ', arguments)}` exited with {process.ExitCode}:\n{await output}\n{await errors}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One cluster for all the PostgreSQL tests of an assembly; each test takes a fresh database from it.</summary>
[CollectionDefinition(PostgresCluster.Collection)]
public sealed class PostgresClusterFixture : ICollectionFixture<PostgresCluster>;
