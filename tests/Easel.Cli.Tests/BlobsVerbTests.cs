using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Easel.Cli.Tests.Infrastructure;
using Easel.Storage.Blobs;
using Easel.Testing;

namespace Easel.Cli.Tests;

/// <summary>easel blobs migrate against a real S3-speaking server (s3rver), from a data directory of real files.</summary>
[Collection(S3rverProcess.Collection)]
public sealed class BlobsVerbTests(S3rverProcess s3) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("easel-migrate-").FullName;

    [Fact]
    public async Task Migrate_copies_every_blob_under_its_key_then_a_second_run_copies_nothing()
    {
        var bucket = s3.NewBucket();
        var files = await WriteBlobsAsync(("png", 5000), ("jpg", 7000), ("webp", 300));
        // Not Easel's names: an interrupted write's temporary file and a stranger's file stay where they are.
        await File.WriteAllTextAsync(Path.Combine(_data, "files", files[0].Key[..2], "ffff.png.tmp"), "half");
        await File.WriteAllTextAsync(Path.Combine(_data, "files", "notes.txt"), "mine");

        var first = await MigrateAsync(bucket);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"bucket {bucket}: copied 3 (12300 bytes), already there 0, replaced 0, skipped 2, failed 0", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("skipped (not an Easel blob name): notes.txt", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(files.Select(f => f.Key).Order(StringComparer.Ordinal), s3.ObjectKeys(bucket));
        using var client = Client();
        foreach (var (key, bytes) in files)
        {
            using var got = await client.GetObjectAsync(bucket, key);
            using var copy = new MemoryStream();
            await got.ResponseStream.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
            Assert.Equal(BlobKeys.ContentTypeOf(key), got.Headers.ContentType);
            Assert.Equal(BlobKeys.CacheControl, got.Headers.CacheControl);
        }

        var second = await MigrateAsync(bucket, "--json");

        Assert.True(second.ExitCode == 0, second.ToString());
        var report = second.Json.RootElement;
        Assert.Equal(0, report.GetProperty("copied").GetInt32());
        Assert.Equal(3, report.GetProperty("already_there").GetInt32());
        Assert.Equal(2, report.GetProperty("skipped").GetArrayLength());
        // Local files are kept: the operator removes them after the switch.
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(_data, "files", f.Key))));
    }

    [Fact]
    public async Task An_interrupted_migration_resumes_with_what_is_missing_and_replaces_an_object_that_differs()
    {
        var bucket = s3.NewBucket();
        var files = await WriteBlobsAsync(("png", 4000), ("png", 4000), ("gif", 900), ("tif", 2500));
        using var client = Client();
        // As after an interrupted run: one object already copied, one never reached; and one whose bytes differ at
        // the same size (only its MD5 ETag tells them apart).
        await PutAsync(client, bucket, files[0].Key, files[0].Bytes);
        var wrong = (byte[])files[1].Bytes.Clone();
        wrong[^1] ^= 0xff;
        await PutAsync(client, bucket, files[1].Key, wrong);

        var run = await MigrateAsync(bucket, "--json", "--parallel", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = run.Json.RootElement;
        Assert.Equal(3, report.GetProperty("copied").GetInt32());
        Assert.Equal(1, report.GetProperty("already_there").GetInt32());
        Assert.Equal(1, report.GetProperty("replaced").GetInt32());
        Assert.Equal(0, report.GetProperty("failed").GetInt32());
        var md5 = await client.GetObjectMetadataAsync(bucket, files[1].Key);
#pragma warning disable CA5351 // the ETag S3 computes is an MD5: comparing with it
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(files[1].Bytes))}\"", md5.ETag);
#pragma warning restore CA5351
        Assert.Equal(4, s3.ObjectKeys(bucket).Count);
    }

    [Fact]
    public async Task A_bucket_that_refuses_writes_fails_each_file_names_it_and_exits_10()
    {
        await WriteBlobsAsync(("png", 100), ("png", 200));

        var run = await MigrateAsync(S3rverProcess.RefusingBucket);

        Assert.Equal(10, run.ExitCode);
        Assert.Contains("copied 0 (0 bytes), already there 0, replaced 0, skipped 0, failed 2", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("403 AccessDenied", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(s3.ObjectKeys(S3rverProcess.RefusingBucket));
    }

    [Fact]
    public async Task A_missing_bucket_is_named_before_any_copy_and_missing_settings_are_a_usage_error()
    {
        await WriteBlobsAsync(("png", 100));

        var missing = await MigrateAsync("no-such-bucket");
        Assert.Equal(10, missing.ExitCode);
        Assert.Contains("'no-such-bucket'", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Stderr, StringComparison.Ordinal);

        var unset = await EaselCli.RunAsync("blobs", "migrate", "--data-dir", _data);
        Assert.Equal(2, unset.ExitCode);
        Assert.Contains("Easel:Blobs:S3:Bucket is empty", unset.Stderr, StringComparison.Ordinal);

        var noFiles = await EaselCli.RunAsync(["blobs", "migrate", "--data-dir", Path.Combine(_data, "nothing-here"), .. Settings("any")]);
        Assert.Equal(2, noFiles.ExitCode);
        Assert.Contains("does not exist", noFiles.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private Task<CliRun> MigrateAsync(string bucket, params string[] more) =>
        EaselCli.RunAsync([.. more.Contains("--json") ? ["--json"] : Array.Empty<string>(), "blobs", "migrate", "--data-dir", _data,
            .. more.Where(m => m != "--json"), .. Settings(bucket)]);

    private string[] Settings(string bucket) =>
    [
        $"--Easel:Blobs:S3:Endpoint={s3.Endpoint}",
        $"--Easel:Blobs:S3:Region={S3rverProcess.Region}",
        $"--Easel:Blobs:S3:Bucket={bucket}",
        $"--Easel:Blobs:S3:AccessKey={S3rverProcess.AccessKey}",
        $"--Easel:Blobs:S3:SecretKey={S3rverProcess.SecretKey}",
        "--Easel:Blobs:S3:ForcePathStyle=true",
    ];

    /// <summary>Blobs written by the file store itself, as a node leaves them in its data directory.</summary>
    private async Task<List<(string Key, byte[] Bytes)>> WriteBlobsAsync(params (string Extension, int Length)[] blobs)
    {
        var store = new FileBlobStore(Path.Combine(_data, "files"));
        var written = new List<(string, byte[])>();
        foreach (var (extension, length) in blobs)
        {
            var bytes = RandomNumberGenerator.GetBytes(length);
            written.Add((await store.SaveAsync(bytes, extension, CancellationToken.None), bytes));
        }
        return written;
    }

    private AmazonS3Client Client() => S3Clients.Create(new S3BlobOptions
    {
        Endpoint = s3.Endpoint,
        Region = S3rverProcess.Region,
        Bucket = "unused",
        AccessKey = S3rverProcess.AccessKey,
        SecretKey = S3rverProcess.SecretKey,
        ForcePathStyle = true,
    });

    private static Task<PutObjectResponse> PutAsync(AmazonS3Client client, string bucket, string key, byte[] bytes) =>
        client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false });
}
