using Easel.Testing;
using System.Text.RegularExpressions;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Accounts;

public sealed partial class BootstrapTests
{
    [Fact]
    public async Task Without_a_configured_key_the_first_start_prints_a_working_admin_key_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string key;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__BootstrapKey"] = "" }))
            {
                var printed = PrintedKey().Matches(first.Output);
                Assert.Single(printed);
                key = printed[0].Value;
                using var admin = first.Client(key);
                var (status, _) = await admin.PostJsonAsync("/admin/accounts", new { name = "first" });
                Assert.Equal(201, status);
                first.Kill();
            }
            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__BootstrapKey"] = "" });
            Assert.Empty(PrintedKey().Matches(second.Output));
            using var again = second.Client(key);
            Assert.Equal(201, (await again.PostJsonAsync("/admin/accounts", new { name = "second" })).Status);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [GeneratedRegex("esk_[A-Za-z0-9_-]{43}")]
    private static partial Regex PrintedKey();
}
