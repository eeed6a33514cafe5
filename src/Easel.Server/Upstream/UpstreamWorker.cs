using Easel.Engines.Upstream;
using Easel.Server.Hosting;

namespace Easel.Server.Upstream;

/// <summary>Runs this node's upstream poller (<see cref="UpstreamPoller"/>) for the life of the host.</summary>
internal sealed class UpstreamWorker(UpstreamPoller poller, UpstreamEngines engines, NodeIdentity node) : BackgroundService
{
    // Without upstream engines nothing is polled. A task left waiting on an engine the configuration dropped went back to
    // pending at this node's start (or its lease expires), and its next claim fails it with a message that says why.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => poller.RunAsync(node.Id, stoppingToken, idle: engines.All.Count == 0);
}
