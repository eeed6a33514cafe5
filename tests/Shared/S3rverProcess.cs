using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Easel.Testing;

/// <summary>
/// A real S3-speaking server for one test run: the npm package s3rver (tests/S3rver, pinned by its lock file and
/// installed by .ci/install-packages), run by node on a loopback port of the system's choosing, with a throwaway data
/// directory; each test takes buckets of its own. Its one account is S3RVER/S3RVER; it refuses an unknown access key
/// id, but does not recompute SigV4 signatures (s3rver 3.7.1's authentication leaves V4 unimplemented), so the
/// signatures themselves are the AWS SDK's and are not checked here.
/// Missing node or the package fails the tests that need it, with the reason; it never skips them.
/// Compiled into each test project that needs it (tests/Shared).
/// </summary>
public sealed class S3rverProcess : IAsyncLifetime
{
    public const string Collection = "S3rver";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Region = "us-east-1";

    /// <summary>The bucket that answers every object write with 403 AccessDenied (a read-only policy, as in AWS).</summary>
    public const string RefusingBucket = "refusing-writes";

    private const string Folder = "tests/S3rver";
    private const int BucketsPerRun = 24;

    private Process? _process;
    private string _root = "";
    private int _nextBucket;

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    public async Task InitializeAsync()
    {
        var folder = Locate() ?? throw new InvalidOperationException($"{Folder}/serve.js was not found above {AppContext.BaseDirectory}.");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "s3rver")))
        {
            throw new InvalidOperationException($"s3rver is not installed in {folder}: run `npm ci --prefix {Folder}` (.ci/install-packages does).");
        }
        var node = FindOnPath("node") ?? throw new InvalidOperationException("node is not installed (it comes with the machine; Debian's nodejs package also provides it).");
        _root = Directory.CreateTempSubdirectory("easel-s3rver-").FullName;
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "serve.js", "--directory", _root, "--refuse-writes", RefusingBucket },
        };
        // s3rver makes its buckets at start; a test asks for one of these by BucketAsync, so no two tests share one.
        for (var i = 0; i < BucketsPerRun; i++)
        {
            start.ArgumentList.Add("--bucket");
            start.ArgumentList.Add(BucketName(i));
        }
        _process = Process.Start(start)!;
        var errors = _process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            throw new TimeoutException($"s3rver did not start within 30 s: {await errors}");
        }
        if (line is null)
        {
            await _process.WaitForExitAsync();
            throw new InvalidOperationException($"s3rver exited with {_process.ExitCode} before listening: {await errors}");
        }
        var port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>An empty bucket no other test uses.</summary>
    public string NewBucket()
    {
        var index = Interlocked.Increment(ref _nextBucket) - 1;
        return index < BucketsPerRun
            ? BucketName(index)
            : throw new InvalidOperationException($"the run has used its {BucketsPerRun} buckets: raise BucketsPerRun in S3rverProcess");
    }

    /// <summary>The files of a bucket's objects as s3rver keeps them (its data directory), for checking what was written.</summary>
    public string BucketDirectory(string bucket) => Path.Combine(_root, bucket);

    /// <summary>The keys of a bucket's objects, read from s3rver's own directory (objects are stored as "key._S3rver_object").</summary>
    public IReadOnlyList<string> ObjectKeys(string bucket)
    {
        const string Suffix = "._S3rver_object";
        var directory = BucketDirectory(bucket);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*" + Suffix, SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(directory, path)[..^Suffix.Length].Replace('\\', '/')).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>The settings that point an Easel node at a bucket of this server.</summary>
    public Dictionary<string, string> EaselSettings(string bucket, bool redirectToPresigned = false) => new()
    {
        ["Easel__Blobs__Provider"] = "s3",
        ["Easel__Blobs__S3__Endpoint"] = Endpoint.ToString(),
        ["Easel__Blobs__S3__Region"] = Region,
        ["Easel__Blobs__S3__Bucket"] = bucket,
        ["Easel__Blobs__S3__AccessKey"] = AccessKey,
        ["Easel__Blobs__S3__SecretKey"] = SecretKey,
        ["Easel__Blobs__S3__ForcePathStyle"] = "true",
        ["Easel__Blobs__S3__RedirectToPresigned"] = redirectToPresigned ? "true" : "false",
    };

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // End of stdin is its signal to close; a kill if it does not.
            _process.StandardInput.Close();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process?.Dispose();
        if (_root.Length > 0 && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string BucketName(int index) => $"easel-test-{index:D2}";

    private static string? Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, Folder);
            if (File.Exists(Path.Combine(candidate, "serve.js")))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
}

/// <summary>One s3rver for all the bucket tests of an assembly; each test takes buckets of its own from it.</summary>
[CollectionDefinition(S3rverProcess.Collection)]
public sealed class S3rverFixture : ICollectionFixture<S3rverProcess>;
