using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Accounts;
using Easel.Core.Operations;
using Easel.Core.Pricing;
using Easel.Core.Tasks;

namespace Easel.Server.OpenApi;

/// <summary>
/// Sample tasks in each state, rendered by the dialects' real views for the documents' response examples, so an
/// example can never show a field the server does not send.
/// </summary>
internal static class ExampleTasks
{
    public const string BaseUrl = "https://easel.example.com";
    public const int EstimatedSeconds = 45;

    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1757165031);

    public static IReadOnlyList<(string Name, string Summary, TaskRecord Task)> All(Dialect dialect, PriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var operation = new Inpaint("a red kite in the sky", Speed.Fast, new SourceImage("task-unified-1757164000-a1b2c3d4", 0),
            new PolygonMask([new MaskArea(1024, 1024, [100, 100, 100, 600, 600, 600, 600, 100])]));
        var id = dialect == Dialect.Unified ? "task-unified-1757165031-k3x9q2mw" : "task-classic-1757165031-k3x9q2mw";
        var pending = new TaskRecord(id, "acct-example", dialect, operation, TaskState.Pending, 0, Created, null, null,
            prices.PriceMicros(operation, Account.DefaultGroup), null, [], null, 0);
        string[] results = ["3f/3f2a9c0d6e1b4a7f8c5d2e9b0a1c4f7e.png", "8a/8a1d4c7f0e3b6a9d2c5f8e1b4a7d0c3f.png",
            "c2/c29e6b3f8a1d4c7e0b5a2f9d6c3e8b1a.png", "5e/5e7b0a3d6c9f2e5b8a1d4c7f0e3b6a9d.png"];
        return
        [
            ("pending", "Just created: pending", pending),
            ("processing", "Running", pending with { State = TaskState.Processing, Progress = 40, StartedAt = Created.AddSeconds(2) }),
            ("completed", "Completed: four images", pending with
            {
                State = TaskState.Completed, Progress = 100, StartedAt = Created.AddSeconds(2), FinishedAt = Created.AddSeconds(40), ResultKeys = results,
            }),
            ("failed", "Failed", pending with
            {
                State = TaskState.Failed, StartedAt = Created.AddSeconds(2), FinishedAt = Created.AddSeconds(5),
                Failure = new TaskFailure(FailureKind.ImageProcessing, "The source image could not be decoded"),
            }),
            ("cancelled", "Cancelled", pending with { State = TaskState.Cancelled, FinishedAt = Created.AddSeconds(3) }),
        ];
    }

    /// <summary>The JSON of a result's body, checked to be the status the document lists it under.</summary>
    public static JsonNode BodyOf(IResult result, int status, JsonSerializerOptions options)
    {
        while (result is Http.RetryAfterResult retry)
        {
            result = retry.Inner;
        }
        if (result is not IStatusCodeHttpResult { StatusCode: var code } || code != status || result is not IValueHttpResult { Value: { } value })
        {
            throw new InvalidOperationException($"the example for HTTP {status} is not a JSON result of that status");
        }
        return JsonSerializer.SerializeToNode(value, value.GetType(), options)!;
    }
}
