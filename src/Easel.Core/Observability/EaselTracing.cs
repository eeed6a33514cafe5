using System.Diagnostics;
using Easel.Core.Tasks;

namespace Easel.Core.Observability;

/// <summary>
/// The "Easel" activity source: one span per stage of a task (claim, fetch, engine, store, settle, callback).
/// A task runs long after the request that created it, perhaps on another node after a restart, so the request's
/// W3C trace context is stored with the task (<see cref="TaskRecord.TraceParent"/>) and every later span of the
/// task is started as a CHILD of it: parent, not link, because a trace is what tracing back ends group and sample
/// by, and one task should read as one trace (a link would open a new trace per run and per callback, and the
/// parent-based sampler would decide each of them again). A run whose task carries no context (created while
/// nothing was tracing) starts a trace of its own. Without a listener (no tracer provider: OTLP off), every
/// start here returns null at the cost of one check.
/// </summary>
public static class EaselTracing
{
    public const string SourceName = "Easel";

    public static readonly ActivitySource Source = new(SourceName, typeof(EaselTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// The trace context to store with a task being created: the current request's, when a tracer is listening to
    /// it. Without one, ASP.NET Core may still make an activity (for log scopes) with an unsampled context that no
    /// sampler decided; stored, it would keep the task untraced on a node that does trace.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current && current.Source.HasListeners() ? current.Id : null;

    /// <summary>
    /// The span of one run (one claim) of a task, under the create request's context, started when the claim
    /// began; its first child is the claim itself, which only now knows which task it claimed.
    /// </summary>
    public static Activity? StartRun(TaskRecord task, DateTimeOffset claimStarted, DateTimeOffset claimEnded, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Source.HasListeners())
        {
            return null;
        }
        var run = Source.StartActivity("task.run", ActivityKind.Internal, ParentOf(task.TraceParent), startTime: claimStarted);
        if (run is null)
        {
            return null;
        }
        run.SetTag("easel.task.id", task.Id);
        run.SetTag("easel.task.operation", EaselMetrics.SnakeCase(task.Operation.Kind.ToString()));
        run.SetTag("easel.task.attempt", task.Attempts);
        run.SetTag("easel.node.id", nodeId);
        using (var claim = Source.StartActivity("task.claim", ActivityKind.Internal, run.Context, startTime: claimStarted))
        {
            claim?.SetEndTime(claimEnded.UtcDateTime);
        }
        return run;
    }

    /// <summary>A stage of the run in progress (fetch, engine, store, settle): a child of the current span.</summary>
    public static Activity? StartStage(string name) => Source.StartActivity("task." + name, ActivityKind.Internal);

    /// <summary>One callback attempt, under the context of the task it reports on (not the caller's: see CallbackWorker).</summary>
    public static Activity? StartCallback(string deliveryId, string taskId, int attempt, string? traceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var span = Source.StartActivity("task.callback", ActivityKind.Internal, ParentOf(traceParent));
        span?.SetTag("easel.task.id", taskId);
        span?.SetTag("easel.callback.delivery_id", deliveryId);
        span?.SetTag("easel.callback.attempt", attempt);
        return span;
    }

    /// <summary>Marks a span failed, with the reason a client was told (never an exception's text: that stays in the log).</summary>
    public static void Failed(Activity? span, string? reason)
    {
        if (reason is not null)
        {
            span?.SetStatus(ActivityStatusCode.Error, reason);
        }
    }

    // A stored context that does not parse (written by a future version, or damaged) starts a new trace rather than fail the task.
    private static ActivityContext ParentOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent) ? parent : default;
}
