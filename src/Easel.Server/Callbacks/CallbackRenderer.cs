using System.Text.Json;
using Easel.Core.Callbacks;
using Easel.Core.Pricing;
using Easel.Core.Tasks;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.Hosting;
using Easel.Server.Http;
using Microsoft.Extensions.Options;

namespace Easel.Server.Callbacks;

/// <summary>
/// A callback's body is exactly what a query of the task answers in the dialect it was created in: the same
/// view, serialised with the same options.
/// </summary>
internal sealed class CallbackRenderer(PriceTable prices, IOptions<EaselOptions> options) : ICallbackRenderer
{
    public string Render(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var baseUrl = options.Value.PublicBaseUrl?.GetLeftPart(UriPartial.Authority) ?? task.BaseUrl ?? "http://localhost";
        return task.Dialect == Dialect.Unified
            ? JsonSerializer.Serialize(UnifiedTaskView.From(task, 0, baseUrl, PublicUrls.FileUrl), UnifiedJson.Options)
            : JsonSerializer.Serialize(ClassicTaskView.From(task, prices, baseUrl, PublicUrls.FileUrl), ClassicJson.Options);
    }
}
