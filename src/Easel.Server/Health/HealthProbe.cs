using System.Globalization;

namespace Easel.Server.Health;

/// <summary>
/// `Easel.Server --healthcheck [url]`: asks a running Easel for /healthz and exits 0 when it answers 200, 1
/// otherwise. For container health checks, where the runtime image has no curl or wget. The default address is
/// this machine's first ASPNETCORE_HTTP_PORTS port (8080 in the container image), else 5080.
/// </summary>
internal static class HealthProbe
{
    public const string Flag = "--healthcheck";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Flag;

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 1 ? args[1] : DefaultUrl();
        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }
            await Console.Error.WriteLineAsync($"{url} answered HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"{url} did not answer: {e.Message}");
        }
        return 1;
    }

    private static string DefaultUrl()
    {
        var ports = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS");
        var first = ports?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        var port = int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 5080;
        return $"http://127.0.0.1:{port}/healthz";
    }
}
