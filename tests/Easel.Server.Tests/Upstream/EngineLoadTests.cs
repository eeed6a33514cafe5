using Easel.Engines.Upstream;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The per-engine count behind MaxInFlight and the in-flight gauge: a refresh from the store must not lose a submission
/// that was out, or accepted, while the store was being read, or MaxInFlight could be passed until the next refresh.
/// </summary>
public sealed class EngineLoadTests
{
    private static readonly Dictionary<string, int> None = new();

    [Fact]
    public void A_submission_out_during_a_refresh_is_still_counted_and_its_acceptance_after_the_read_too()
    {
        var load = new EngineLoad();
        Assert.True(load.TryTake("mj", maxInFlight: 1));
        Assert.False(load.TryTake("mj", maxInFlight: 1));

        // The read begins while the submission is out: the store has nothing for it yet.
        var beforeRead = load.BeforeRead();
        load.Accepted("mj");
        load.Refresh(None, beforeRead);
        Assert.Equal(1, load.Of("mj"));

        // The next read sees the waiting job, and counts it once.
        load.Refresh(new Dictionary<string, int> { ["mj"] = 1 }, load.BeforeRead());
        Assert.Equal(1, load.Of("mj"));
        Assert.Equal(1, load.Snapshot()["mj"]);

        load.Release("mj");
        Assert.Equal(0, load.Of("mj"));
        load.Refresh(None, load.BeforeRead());
        Assert.Equal(0, load.Of("mj"));
    }

    [Fact]
    public void A_submission_that_was_not_accepted_gives_its_place_back()
    {
        var load = new EngineLoad();
        Assert.True(load.TryTake("sd", maxInFlight: 1));
        load.GiveBack("sd");

        Assert.Equal(0, load.Of("sd"));
        Assert.True(load.TryTake("sd", maxInFlight: 1));
    }

    [Fact]
    public void A_refresh_replaces_what_it_read_and_keeps_what_came_after()
    {
        var load = new EngineLoad();
        Assert.True(load.TryTake("a", 10));
        load.Accepted("a");
        var beforeRead = load.BeforeRead();
        // Accepted after the read began, and not seen by it.
        Assert.True(load.TryTake("a", 10));
        load.Accepted("a");
        // Cancelled meanwhile on another node: the store has no waiting job left of the first one.
        load.Refresh(None, beforeRead);

        Assert.Equal(1, load.Of("a"));
    }
}
