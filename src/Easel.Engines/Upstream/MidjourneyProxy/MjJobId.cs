namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>Where a job of several requests stands, as its recorded id says it.</summary>
internal enum MjStage
{
    /// <summary>Waiting on the proxy's task, whose result is the task's.</summary>
    Plain,

    /// <summary>Waiting on the upscale (U n) of a grid image; its button is pressed when it is done.</summary>
    UpscaleFirst,

    /// <summary>The button on the finished upscale is being pressed: recorded before it is, so a crash never presses it twice.</summary>
    Pressing,

    /// <summary>A MODAL task (code 21) whose modal (prompt, mask) is sent while the proxy still shows it MODAL.</summary>
    Modal,
}

/// <summary>
/// The id Easel records for a proxy job: the proxy's task id (digits in TI and NZ), and after a '~' the stage of a job
/// of several requests. Written to the store before each further request, so after a crash the id alone says what may
/// be sent again (API.md section 10, durable upstream jobs).
/// </summary>
internal readonly record struct MjJobId(string TaskId, MjStage Stage)
{
    private const char Separator = '~';

    public static MjJobId Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var at = id.IndexOf(Separator, StringComparison.Ordinal);
        if (at < 0)
        {
            return new MjJobId(id, MjStage.Plain);
        }
        var stage = id[(at + 1)..] switch
        {
            "then" => MjStage.UpscaleFirst,
            "pressing" => MjStage.Pressing,
            "modal" => MjStage.Modal,
            _ => MjStage.Plain,
        };
        return new MjJobId(id[..at], stage);
    }

    /// <summary>A proxy task id Easel can record and put in a path (and that has no '~' of its own).</summary>
    public static bool IsTaskId(string? id) => JsonFields.IsJobId(id) && !id!.Contains(Separator, StringComparison.Ordinal) && id.Length <= 100;

    public override string ToString() => Stage switch
    {
        MjStage.UpscaleFirst => TaskId + Separator + "then",
        MjStage.Pressing => TaskId + Separator + "pressing",
        MjStage.Modal => TaskId + Separator + "modal",
        _ => TaskId,
    };
}
