namespace Easel.Cli.Tests.Infrastructure;

/// <summary>Stdout that says when a line has appeared: the test's stand-in for a person watching the terminal.</summary>
public sealed class WatchedWriter : StringWriter
{
    private readonly string _awaited;
    private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WatchedWriter(string awaited) : base(System.Globalization.CultureInfo.InvariantCulture) => _awaited = awaited;

    public Task Seen => _seen.Task;

    public override void Write(string? value)
    {
        base.Write(value);
        Check();
    }

    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        Check();
    }

    private void Check()
    {
        if (GetStringBuilder().ToString().Contains(_awaited, StringComparison.Ordinal))
        {
            _seen.TrySetResult();
        }
    }
}
