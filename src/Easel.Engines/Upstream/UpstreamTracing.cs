using System.Diagnostics;
using Easel.Core.Observability;

namespace Easel.Engines.Upstream;

/// <summary>
/// Spans of upstream work on the "Easel" source: a submission runs inside the task's run span (a child of the create
/// request's trace); a poll belongs to no request, so it starts a trace of its own tagged with the task and engine.
/// </summary>
internal static class UpstreamTracing
{
    public static Activity? Start(string stage, string engine, string taskId)
    {
        if (!EaselTracing.Source.HasListeners())
        {
            return null;
        }
        var span = EaselTracing.Source.StartActivity("upstream." + stage, ActivityKind.Client);
        span?.SetTag("easel.engine", engine);
        span?.SetTag("easel.task.id", taskId);
        return span;
    }
}
