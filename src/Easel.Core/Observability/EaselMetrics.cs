using System.Diagnostics.Metrics;
using Easel.Core.Operations;
using Easel.Core.Pricing;
using Easel.Core.Tasks;

namespace Easel.Core.Observability;

/// <summary>What a callback attempt came to, as the metrics count it.</summary>
public enum CallbackOutcome
{
    Delivered,
    FailedWillRetry,
    GaveUp,

    /// <summary>The outbound guard refused the receiver's address; the attempt is retried on the schedule like any failure.</summary>
    RefusedAddress,
}

/// <summary>
/// The "Easel" meter: task transitions, engine time, callback attempts and money, recorded where each of them
/// happens (TaskService, TaskRunner, CallbackDispatcher) and only once the store has said the transition was ours.
/// Created through <see cref="IMeterFactory"/>, so each host's instruments are its own (tests run several hosts
/// in one process, and a listener must not count another host's work).
/// </summary>
public sealed class EaselMetrics
{
    public const string MeterName = "Easel";

    // Seconds; from a passthrough run (milliseconds) to a large outpainting under load (a minute or two).
    private static readonly double[] EngineBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Counter<long> _created;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _cancelled;
    private readonly Histogram<double> _engine;
    private readonly Counter<long> _callbackAttempts;
    private readonly Counter<double> _charged;
    private readonly Counter<double> _refunded;
    private readonly Counter<long> _filesReleased;
    private readonly Counter<long> _blobsDeleted;

    public EaselMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _created = Meter.CreateCounter<long>("easel.tasks.created", "{task}", "Tasks created (accepted and stored), by operation");
        _completed = Meter.CreateCounter<long>("easel.tasks.completed", "{task}", "Tasks completed, by operation");
        _failed = Meter.CreateCounter<long>("easel.tasks.failed", "{task}", "Tasks failed, by operation and failure reason");
        _cancelled = Meter.CreateCounter<long>("easel.tasks.cancelled", "{task}", "Tasks cancelled by their account, by operation");
        _engine = Meter.CreateHistogram("easel.engine.duration", "s", "Time the engine took per task run, by operation and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = EngineBuckets });
        _callbackAttempts = Meter.CreateCounter<long>("easel.callbacks.attempts", "{attempt}",
            "Callback attempts by outcome: delivered, failed_will_retry, gave_up, refused_address");
        _charged = Meter.CreateCounter<double>("easel.credits.charged", "{credit}", "Credits charged for finished tasks, by operation");
        _refunded = Meter.CreateCounter<double>("easel.credits.refunded", "{credit}", "Credits refunded for failed and cancelled tasks, by operation");
        _filesReleased = Meter.CreateCounter<long>("easel.files.tasks_released", "{task}", "Finished tasks whose files were deleted, by trigger: retention, client");
        _blobsDeleted = Meter.CreateCounter<long>("easel.files.blobs_deleted", "{blob}", "Blobs deleted with their last holding task's files, by trigger: retention, client");
    }

    /// <summary>The meter itself, for instruments defined outside Core (the HTTP histogram, the queue gauges).</summary>
    public Meter Meter { get; }

    public void TaskFilesReleased(Retention.FilesTrigger trigger, int tasks)
    {
        if (tasks > 0)
        {
            _filesReleased.Add(tasks, new KeyValuePair<string, object?>("trigger", SnakeCase(trigger.ToString())));
        }
    }

    public void BlobsDeleted(Retention.FilesTrigger trigger, int blobs)
    {
        if (blobs > 0)
        {
            _blobsDeleted.Add(blobs, new KeyValuePair<string, object?>("trigger", SnakeCase(trigger.ToString())));
        }
    }

    public void TaskCreated(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _created.Add(1, Operation(task.Operation.Kind));
    }

    /// <summary>A terminal transition this node made; its settlement (charge or refund) is counted with it.</summary>
    public void TaskFinished(TaskRecord task, TaskState state, FailureKind? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var operation = Operation(task.Operation.Kind);
        switch (state)
        {
            case TaskState.Completed:
                _completed.Add(1, operation);
                break;
            case TaskState.Failed:
                _failed.Add(1, operation, new KeyValuePair<string, object?>("reason", SnakeCase(failure?.ToString() ?? "unknown")));
                break;
            case TaskState.Cancelled:
                _cancelled.Add(1, operation);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state, "only a finished task is counted");
        }
        var credits = Credits.ToCredits(task.PriceMicros);
        if (SettlementPolicy.For(state, failure) == Settlement.Charge)
        {
            _charged.Add((double)credits, operation);
        }
        else
        {
            _refunded.Add((double)credits, operation);
        }
    }

    public void EngineRan(OperationKind kind, TimeSpan elapsed, bool succeeded) =>
        _engine.Record(elapsed.TotalSeconds, Operation(kind), new KeyValuePair<string, object?>("outcome", succeeded ? "ok" : "error"));

    public void CallbackAttempted(CallbackOutcome outcome) =>
        _callbackAttempts.Add(1, new KeyValuePair<string, object?>("outcome", SnakeCase(outcome.ToString())));

    // The operation, not a dialect's model name: the two dialects name one model differently, and one model
    // must not be split in two series by the way it was asked for.
    private static KeyValuePair<string, object?> Operation(OperationKind kind) => new("operation", SnakeCase(kind.ToString()));

    internal static string SnakeCase(string pascal)
    {
        var text = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                text.Append('_');
            }
            text.Append(char.ToLowerInvariant(pascal[i]));
        }
        return text.ToString();
    }
}
