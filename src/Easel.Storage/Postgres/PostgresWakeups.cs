using System.Threading.Channels;
using Dapper;
using Easel.Core.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Easel.Storage.Postgres;

/// <summary>
/// Cross-node wake-ups for scale-out mode. WorkSignal only wakes the workers of the node where a task was created;
/// when they are all busy, another node's idle workers hear of it through LISTEN/NOTIFY instead of at their next
/// poll (every second, which still bounds the delay if the listening connection is down).
/// </summary>
/// <remarks>
/// The NOTIFY is sent after the create has committed, on its own, and coalesced (a burst of creates sends one or
/// two): a NOTIFY inside the create's transaction would take PostgreSQL's commit-order lock for notifications, and
/// every create would wait on every other create, whatever its account.
/// </remarks>
public sealed class PostgresWakeups(PostgresDatabase db, WorkSignal work, ILogger<PostgresWakeups>? logger = null)
{
    private const string WorkChannel = "easel_work";
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QuietCheck = TimeSpan.FromSeconds(30);

    // This process's own notifications come back to it; its workers were already woken in memory.
    private readonly string _self = Guid.NewGuid().ToString("N");
    // At most one NOTIFY waiting to be sent: writes while one waits are the same news and are dropped.
    private readonly Channel<bool> _wanted = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Tells the other nodes there is work (a task created, or leases released). Never waits.</summary>
    public void WorkAvailable()
    {
        _wanted.Writer.TryWrite(true);
    }

    /// <summary>Listens and notifies until the node stops.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => Task.WhenAll(NotifyAsync(stoppingToken), ListenAsync(stoppingToken));

    private async Task NotifyAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wanted.Reader.ReadAsync(stoppingToken);
                await db.RunAsync(c => c.ExecuteAsync("SELECT pg_notify(@channel, @_self)", new { channel = WorkChannel, _self }), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                // Lost wake-ups cost at most one poll interval on the other nodes; the tasks themselves are stored.
                _logger.LogWarning(e, "Notifying other nodes of new work failed; they will find it at their next poll");
                await Task.Delay(Backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Payload != _self)
                    {
                        work.Notify();
                    }
                };
                await connection.ExecuteAsync($"LISTEN {WorkChannel}");
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(QuietCheck, stoppingToken))
                    {
                        // Quiet for a while: a round trip proves the connection is still there (a dead one throws,
                        // and the loop reconnects) rather than waiting forever on a socket nobody will write to.
                        await connection.ExecuteAsync("SELECT 1");
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                _logger.LogWarning(e, "Listening for other nodes' work failed; polling covers it until the connection is back");
                await Task.Delay(Backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
