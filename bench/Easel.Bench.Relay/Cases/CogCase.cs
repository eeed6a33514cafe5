using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Easel.Testing.UpstreamFakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Bench.Relay.Cases;

/// <summary>
/// A cog model (the fake's text-to-image one) asked as Easel asks it: PUT /predictions/{id} with <c>Prefer:
/// respond-async</c>, its webhook and <c>webhook_events_filter ["completed"]</c>. cog can only be asked by webhook (it
/// has no route that reads a prediction), so the direct client here is what any cog client must be: a small HTTP server
/// of its own (<see cref="WebhookReceiver"/>) to which cog POSTs the finished prediction, whose outputs are data: URLs.
/// Easel's webhook is its wake-up URL under the front's own address (the URL the task was created under), which the
/// fake reaches on 127.0.0.1 as it does the receiver's.
/// </summary>
internal sealed class CogCase : RelayCase
{
    private const int Side = 512;
    private FakeCog? _fake;
    private WebhookReceiver? _receiver;
    private long _seed;

    public override string Type => "cog";

    // A cog container has no authentication of its own.
    public override string ApiKey => "";

    /// <summary>The model's input names, as the tests map them for the fake's model (CogCrashTests).</summary>
    public override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Options:Width"] = Side.ToString(CultureInfo.InvariantCulture),
        ["Options:Height"] = Side.ToString(CultureInfo.InvariantCulture),
        ["Options:Inputs:imagine:prompt"] = "prompt",
        ["Options:Inputs:imagine:seed"] = "seed",
        ["Options:Inputs:imagine:width"] = "width",
        ["Options:Inputs:imagine:height"] = "height",
        ["Options:Inputs:imagine:count"] = "num_outputs",
    };

    public override async Task<string> StartAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _fake = await FakeCog.StartAsync();
        _fake.WorkTime = TimeSpan.Zero;
        return _fake.BaseUrl;
    }

    public override async Task<IReadOnlyList<Uri>> DirectAsync(HttpClient http, string prompt)
    {
        var id = Guid.NewGuid().ToString("N");
        var finished = _receiver!.Expect(id);
        // What Easel sends for an imagine with the inputs above (its seed aside).
        var body = new JsonObject
        {
            ["input"] = new JsonObject
            {
                ["prompt"] = prompt, ["seed"] = Interlocked.Increment(ref _seed), ["width"] = Side, ["height"] = Side, ["num_outputs"] = 4,
            },
            ["webhook"] = _receiver.UrlFor(id),
            ["webhook_events_filter"] = new JsonArray("completed"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{_fake!.BaseUrl}/predictions/{id}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Prefer", "respond-async");
        using var accepted = await http.SendAsync(request);
        if ((int)accepted.StatusCode != 202)
        {
            throw new InvalidOperationException($"cog answered the PUT {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()}");
        }
        var prediction = await finished.WaitAsync(TimeSpan.FromSeconds(60));
        if (prediction["status"]?.GetValue<string>() != "succeeded")
        {
            throw new InvalidOperationException($"the prediction did not succeed: {prediction.ToJsonString()}");
        }
        return (prediction["output"] as JsonArray ?? throw new InvalidOperationException($"a prediction without a list of outputs: {prediction.ToJsonString()}"))
            .Select(o => new Uri(o!.GetValue<string>())).ToList();
    }

    public override long LastArrival => _fake!.Predictions.Select(p => p.ReceivedAt).DefaultIfEmpty(0).Max();

    public override async ValueTask DisposeAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    /// <summary>
    /// The direct client's webhook endpoint on 127.0.0.1: POST /predictions/{id} completes that prediction's wait with the
    /// prediction cog sent, once it is terminal (with the filter ["completed"] only the terminal one comes, but a
    /// non-terminal body is no result). Answers 204, as Easel does, so cog does not retry.
    /// </summary>
    private sealed class WebhookReceiver : IAsyncDisposable
    {
        private static readonly string[] Terminal = ["succeeded", "failed", "canceled"];
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _waiting = new();

        private WebhookReceiver(WebApplication app) => _app = app;

        private string BaseUrl { get; set; } = "";

        public static async Task<WebhookReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new WebhookReceiver(app);
            app.MapPost("/predictions/{id}", (HttpContext http, string id) => receiver.ReceiveAsync(http, id));
            await app.StartAsync();
            receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            return receiver;
        }

        public string UrlFor(string id) => $"{BaseUrl}/predictions/{id}";

        /// <summary>The terminal prediction of this id, when its webhook arrives.</summary>
        public Task<JsonObject> Expect(string id) =>
            _waiting.GetOrAdd(id, _ => new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        private async Task ReceiveAsync(HttpContext http, string id)
        {
            var prediction = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
            if (prediction is null || !_waiting.TryGetValue(id, out var waiting))
            {
                http.Response.StatusCode = 400;
                return;
            }
            if (Terminal.Contains(prediction["status"]?.GetValue<string>()) && _waiting.TryRemove(id, out _))
            {
                waiting.TrySetResult(prediction);
            }
            http.Response.StatusCode = 204;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
