using Easel.Storage.Postgres;

namespace Easel.Server.Hosting;

/// <summary>Scale-out mode only: hears of work created on other nodes, and tells them of work created here.</summary>
internal sealed class PostgresWakeupService(PostgresWakeups wakeups) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => wakeups.RunAsync(stoppingToken);
}
