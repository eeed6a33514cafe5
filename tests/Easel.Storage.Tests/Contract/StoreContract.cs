using System.Security.Cryptography;
using Easel.Core.Accounts;
using Easel.Core.Callbacks;
using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Storage.Tests.Contract;

/// <summary>
/// The behaviours every task and account store must have, whatever database is under it. Each subclass opens one
/// kind of store (a SQLite file, a PostgreSQL database); the tests are the same, so both stores keep one contract.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    protected const long Price = 8_100_000; // 8.1 credits, the fast upload-paint price
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    // Whole milliseconds: the SQLite store keeps no finer instants.
    protected static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private readonly CallbackSignal _callbackSignal = new();

    protected StoreContract()
    {
        Handoff = new CallbackHandoff(_callbackSignal);
    }

    protected CallbackHandoff Handoff { get; }

    protected ITaskStore Tasks { get; private set; } = null!;

    protected IAccountStore Accounts { get; private set; } = null!;

    protected ICallbackStore Callbacks { get; private set; } = null!;

    /// <summary>Opens a migrated, empty store of the subclass's kind whose task store hands callbacks to <paramref name="handoff"/>.</summary>
    protected abstract Task<(ITaskStore Tasks, IAccountStore Accounts, ICallbackStore Callbacks)> OpenAsync(CallbackHandoff handoff);

    /// <summary>Writes a settlement (charge) ledger row for the task straight into the database, past the store.</summary>
    protected abstract Task InsertChargeRowAsync(string accountId, string taskId);

    protected abstract Task CloseAsync();

    /// <summary>The upstream-job store on the same database.</summary>
    protected abstract Core.Engines.Upstream.IUpstreamJobStore Jobs { get; }

    public async Task InitializeAsync() => (Tasks, Accounts, Callbacks) = await OpenAsync(Handoff);

    public async Task DisposeAsync()
    {
        await CloseAsync();
        _callbackSignal.Dispose();
    }

    [Fact]
    public async Task Fifty_concurrent_creates_on_credits_for_three_accept_exactly_three_and_the_ledger_matches()
    {
        var account = await NewAccountAsync(3 * Price);
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => InsertAsync(NewTask(account)))));

        Assert.Equal(3, results.Count(r => r.Status == InsertStatus.Inserted));
        Assert.Equal(47, results.Count(r => r.Status == InsertStatus.InsufficientCredits));
        for (var i = 0; i < 3; i++)
        {
            var claim = await ClaimAsync("node-a");
            Assert.True(await Tasks.CompleteAsync(claim.Lease, ["k1", "k2", "k3", "k4"], T0, default));
        }
        Assert.Null(await Tasks.ClaimNextAsync("node-a", T0, Lease, default));
        Assert.Equal(0, await BalanceMatchingLedgerAsync(account));
        var ledger = await Accounts.LedgerAsync(account, null, 1000, default);
        Assert.Equal(3, ledger.Count(e => e.Kind == LedgerKind.Reserve));
        Assert.Equal(3, ledger.Count(e => e.Kind == LedgerKind.Charge));
    }

    [Fact]
    public async Task A_task_racing_completion_cancels_and_failure_is_settled_exactly_once()
    {
        var account = await NewAccountAsync(20 * Price);
        for (var round = 0; round < 20; round++)
        {
            var task = NewTask(account, callbackUrl: "http://127.0.0.1:9/hook");
            Assert.Equal(InsertStatus.Inserted, (await InsertAsync(task)).Status);
            var claim = await ClaimAsync("node-a");
            var complete = Task.Run(() => Tasks.CompleteAsync(claim.Lease, ["k"], T0, default));
            var fail = Task.Run(() => Tasks.FailAsync(claim.Lease, new TaskFailure(FailureKind.Timeout, "late"), T0, default));
            var cancels = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Tasks.CancelAsync(task.Id, account, T0, default))).ToArray();
            await Task.WhenAll(complete, fail, Task.WhenAll(cancels));

            var final = (await Tasks.GetAsync(task.Id, default))!;
            // Exactly one transition won: the completion, the failure, or one of the cancels (which says so).
            var cancelsWon = (await Task.WhenAll(cancels)).Count(o => o.CancelledNow);
            Assert.Equal(1, (await complete ? 1 : 0) + (await fail ? 1 : 0) + cancelsWon);
            Assert.Equal(cancelsWon == 1, final.State == TaskState.Cancelled);
            var ledger = await Accounts.LedgerAsync(account, null, 1000, default);
            Assert.Single(ledger, e => e.TaskId == task.Id && e.Kind is LedgerKind.Charge or LedgerKind.Refund);
            var deliveries = await Callbacks.ForTaskAsync(task.Id, default);
            Assert.Single(deliveries);
        }
        var balance = await BalanceMatchingLedgerAsync(account);
        Assert.True(balance >= 0 && balance <= 20 * Price);
    }

    [Fact]
    public async Task The_same_idempotency_key_creates_once_however_many_race_and_refuses_another_body()
    {
        var account = await NewAccountAsync(10 * Price);
        var hash = SHA256.HashData("body"u8);
        var claim = new IdempotencyClaim("key-1", hash, TimeSpan.FromHours(24));
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() =>
            Tasks.InsertAsync(NewTask(account), new TaskAdmission(100, claim), T0, default))));

        var inserted = Assert.Single(results, r => r.Status == InsertStatus.Inserted);
        Assert.All(results.Where(r => r.Status != InsertStatus.Inserted), r =>
        {
            Assert.Equal(InsertStatus.Replayed, r.Status);
            Assert.Equal(inserted.Task!.Id, r.Task!.Id);
        });
        Assert.Equal(9 * Price, await BalanceMatchingLedgerAsync(account));

        var other = await Tasks.InsertAsync(NewTask(account), new TaskAdmission(100, claim with { RequestHash = SHA256.HashData("other"u8) }), T0, default);
        Assert.Equal(InsertStatus.IdempotencyConflict, other.Status);
        var expired = await Tasks.InsertAsync(NewTask(account), new TaskAdmission(100, claim), T0 + TimeSpan.FromHours(25), default);
        Assert.Equal(InsertStatus.Inserted, expired.Status);
        Assert.NotEqual(inserted.Task!.Id, expired.Task!.Id);
    }

    [Fact]
    public async Task The_active_task_cap_holds_under_concurrent_creates_and_a_refusal_leaves_nothing()
    {
        var account = await NewAccountAsync(100 * Price);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            Tasks.InsertAsync(NewTask(account), new TaskAdmission(2, null), T0, default))));

        Assert.Equal(2, results.Count(r => r.Status == InsertStatus.Inserted));
        Assert.Equal(18, results.Count(r => r.Status == InsertStatus.TooManyActive));
        Assert.Equal(98 * Price, await BalanceMatchingLedgerAsync(account));

        // A finished task frees its place.
        var claim = await ClaimAsync("node-a");
        Assert.True(await Tasks.CompleteAsync(claim.Lease, ["k"], T0, default));
        Assert.Equal(InsertStatus.Inserted, (await Tasks.InsertAsync(NewTask(account), new TaskAdmission(2, null), T0, default)).Status);
    }

    [Fact]
    public async Task Two_nodes_claiming_at_once_never_get_the_same_task()
    {
        var account = await NewAccountAsync(0, unlimited: true);
        var created = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var task = NewTask(account);
            created.Add(task.Id);
            Assert.Equal(InsertStatus.Inserted, (await InsertAsync(task)).Status);
        }
        async Task<List<string>> ClaimAllAsync(string node)
        {
            var mine = new List<string>();
            while (await Tasks.ClaimNextAsync(node, T0, Lease, default) is { } claim)
            {
                Assert.Equal(node, claim.Lease.NodeId);
                mine.Add(claim.Task.Id);
            }
            return mine;
        }
        var claimed = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => ClaimAllAsync(i % 2 == 0 ? "node-a" : "node-b"))));

        var all = claimed.SelectMany(c => c).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.True(created.SetEquals(all));
    }

    [Fact]
    public async Task A_task_whose_lease_expired_is_claimed_again_and_the_old_lease_can_no_longer_finish_it()
    {
        var account = await NewAccountAsync(10 * Price);
        var task = NewTask(account);
        await InsertAsync(task);
        var first = (await Tasks.ClaimNextAsync("node-a", T0, TimeSpan.FromSeconds(5), default))!;
        Assert.Null(await Tasks.ClaimNextAsync("node-b", T0 + TimeSpan.FromSeconds(4), Lease, default));

        var second = (await Tasks.ClaimNextAsync("node-b", T0 + TimeSpan.FromSeconds(6), Lease, default))!;
        Assert.Equal(task.Id, second.Task.Id);
        Assert.Equal(2, second.Task.Attempts);
        Assert.False(await Tasks.RenewLeaseAsync(first.Lease, T0 + TimeSpan.FromSeconds(6), Lease, default));
        Assert.False(await Tasks.CompleteAsync(first.Lease, ["old"], T0 + TimeSpan.FromSeconds(7), default));
        Assert.True(await Tasks.CompleteAsync(second.Lease, ["new"], T0 + TimeSpan.FromSeconds(7), default));
        Assert.Equal(["new"], (await Tasks.GetAsync(task.Id, default))!.ResultKeys);
        Assert.Equal(9 * Price, await BalanceMatchingLedgerAsync(account));
    }

    [Fact]
    public async Task Releasing_leases_at_start_releases_only_this_nodes_tasks()
    {
        var account = await NewAccountAsync(0, unlimited: true);
        await InsertAsync(NewTask(account));
        await InsertAsync(NewTask(account));
        var a = await ClaimAsync("node-a");
        var b = await ClaimAsync("node-b");

        Assert.Equal(1, await Tasks.ReleaseLeasesAsync("node-a", default));
        Assert.Equal(TaskState.Pending, (await Tasks.GetAsync(a.Task.Id, default))!.State);
        Assert.Equal(TaskState.Processing, (await Tasks.GetAsync(b.Task.Id, default))!.State);
        Assert.True(await Tasks.RenewLeaseAsync(b.Lease, T0, Lease, default));
    }

    [Theory]
    [InlineData("complete", CallbackEvents.Completed)]
    [InlineData("fail", CallbackEvents.Failed)]
    [InlineData("cancel", CallbackEvents.Cancelled)]
    public async Task The_terminal_transition_writes_its_callback_row_already_claimed_and_hands_it_over(string how, string expectedEvent)
    {
        var account = await NewAccountAsync(10 * Price);
        var task = NewTask(account, callbackUrl: "http://127.0.0.1:9/hook");
        await InsertAsync(task);
        var claim = await ClaimAsync("node-a");
        var done = how switch
        {
            "complete" => await Tasks.CompleteAsync(claim.Lease, ["k"], T0, default),
            "fail" => await Tasks.FailAsync(claim.Lease, new TaskFailure(FailureKind.ResourceNotFound, "gone"), T0, default),
            _ => (await Tasks.CancelAsync(task.Id, account, T0, default)).CancelledNow,
        };
        Assert.True(done);

        var delivery = Assert.Single(await Callbacks.ForTaskAsync(task.Id, default));
        Assert.Equal(expectedEvent, delivery.Event);
        Assert.Equal("http://127.0.0.1:9/hook", delivery.Url);
        Assert.Equal(DeliveryState.Pending, delivery.State);
        var handed = Assert.Single(Handoff.TakeUpTo(10));
        Assert.Equal(delivery.Id, handed.Delivery.Id);
        // Claimed by the transaction: nobody else may take it until that claim expires.
        Assert.Empty(await Callbacks.ClaimDueAsync(T0 + TimeSpan.FromSeconds(1), Lease, 10, default));
        Assert.True(await Callbacks.RecordAsync(handed, new DeliveryAttempt(true, 200, null, "{}", T0), null, default));
        Assert.Equal(DeliveryState.Delivered, Assert.Single(await Callbacks.ForTaskAsync(task.Id, default)).State);
    }

    [Fact]
    public async Task The_trace_context_of_a_create_goes_with_its_task_and_every_claim_of_its_callback()
    {
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var account = await NewAccountAsync(10 * Price);
        var traced = NewTask(account, callbackUrl: "http://127.0.0.1:9/hook") with { TraceParent = traceParent };
        await InsertAsync(traced);
        var claim = await ClaimAsync("node-a");
        Assert.Equal(traceParent, claim.Task.TraceParent);
        Assert.Equal(traceParent, (await Tasks.GetAsync(traced.Id, default))!.TraceParent);
        Assert.True(await Tasks.CompleteAsync(claim.Lease, ["k"], T0, default));

        // Handed over by the transaction, read back, and claimed again after the claim expired: the same context.
        var handed = Assert.Single(Handoff.TakeUpTo(10));
        Assert.Equal(traceParent, handed.Delivery.TraceParent);
        Assert.Equal(traceParent, Assert.Single(await Callbacks.ForTaskAsync(traced.Id, default)).TraceParent);
        var reclaimed = Assert.Single(await Callbacks.ClaimDueAsync(T0 + TimeSpan.FromMinutes(5), Lease, 10, default));
        Assert.Equal(traceParent, reclaimed.Delivery.TraceParent);

        // A task created while nothing traced has none, nor has its callback.
        var untraced = NewTask(account, callbackUrl: "http://127.0.0.1:9/hook");
        await InsertAsync(untraced);
        Assert.True(await Tasks.CompleteAsync((await ClaimAsync("node-a")).Lease, ["k"], T0, default));
        Assert.Null((await Tasks.GetAsync(untraced.Id, default))!.TraceParent);
        Assert.Null(Assert.Single(Handoff.TakeUpTo(10)).Delivery.TraceParent);
    }

    [Fact]
    public async Task A_callback_claim_that_expired_is_claimed_again_by_one_dispatcher_only()
    {
        var handed = await CompleteWithCallbackAsync();

        var later = T0 + TimeSpan.FromMinutes(5);
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Callbacks.ClaimDueAsync(later, Lease, 10, default))));
        var reclaimed = Assert.Single(claims.SelectMany(c => c));
        Assert.Equal(handed.Delivery.Id, reclaimed.Delivery.Id);
        Assert.False(await Callbacks.RecordAsync(handed, new DeliveryAttempt(true, 200, null, "{}", later), null, default));
        Assert.True(await Callbacks.RecordAsync(reclaimed, new DeliveryAttempt(true, 200, null, "{}", later), null, default));
    }

    [Fact]
    public async Task A_delivery_under_a_live_claim_is_not_due_before_the_claim_expires()
    {
        var handed = await CompleteWithCallbackAsync();

        // Handed over claimed (being sent): due only when that claim would expire, not at once.
        var next = await Callbacks.NextDueAsync(default);
        Assert.NotNull(next);
        Assert.True(next > T0 + TimeSpan.FromSeconds(1), $"next due {next:O}, task ended {T0:O}");
        Assert.Empty(await Callbacks.ClaimDueAsync(next!.Value - TimeSpan.FromSeconds(1), Lease, 10, default));

        // A failed attempt with a retry: due at the retry, the claim gone.
        var retry = T0 + TimeSpan.FromSeconds(2);
        Assert.True(await Callbacks.RecordAsync(handed, new DeliveryAttempt(false, 503, "the receiver answered HTTP 503", "{}", T0), retry, default));
        Assert.Equal(retry, await Callbacks.NextDueAsync(default));
    }

    // A task with a callback URL, completed at T0 by node-a: the delivery its transaction created, handed over claimed.
    private async Task<DeliveryClaim> CompleteWithCallbackAsync()
    {
        var account = await NewAccountAsync(10 * Price);
        var task = NewTask(account, callbackUrl: "http://127.0.0.1:9/hook");
        await InsertAsync(task);
        Assert.True(await Tasks.CompleteAsync((await ClaimAsync("node-a")).Lease, ["k"], T0, default));
        return Assert.Single(Handoff.TakeUpTo(10));
    }

    [Fact]
    public async Task The_database_refuses_a_second_settlement_of_a_task()
    {
        var account = await NewAccountAsync(10 * Price);
        var task = NewTask(account);
        await InsertAsync(task);
        Assert.True(await Tasks.CompleteAsync((await ClaimAsync("node-a")).Lease, ["k"], T0, default));

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => InsertChargeRowAsync(account, task.Id));
        Assert.Equal(9 * Price, await BalanceMatchingLedgerAsync(account));
    }

    [Fact]
    public async Task A_top_up_and_an_adjustment_below_zero_keep_the_balance_equal_to_the_ledger()
    {
        var account = await NewAccountAsync(Price);
        Assert.Equal((AdjustOutcome.Done, 3 * Price), await Accounts.AdjustBalanceAsync(account, 2 * Price, LedgerKind.TopUp, "gift", T0, default));
        Assert.Equal(AdjustOutcome.WouldGoNegative, (await Accounts.AdjustBalanceAsync(account, -4 * Price, LedgerKind.Adjust, "too much", T0, default)).Outcome);
        Assert.Equal(AdjustOutcome.NotFound, (await Accounts.AdjustBalanceAsync("acct_missing", Price, LedgerKind.TopUp, null, T0, default)).Outcome);
        Assert.Equal(3 * Price, await BalanceMatchingLedgerAsync(account));
        var usage = await Accounts.UsageAsync(account, default);
        Assert.Empty(usage.ByDay);
    }

    [Fact]
    public async Task A_key_is_found_by_its_hash_until_it_is_revoked_and_keeps_its_model_list()
    {
        var account = await NewAccountAsync(0);
        var hash = RandomNumberGenerator.GetBytes(32);
        var key = new ApiKey("key_" + Guid.NewGuid().ToString("N"), account, "limited", new HashSet<OperationKind> { OperationKind.Edit }, 60, 5, T0, null);
        Assert.True(await Accounts.AddKeyAsync(key, hash, default));

        var caller = (await Accounts.FindByKeyHashAsync(hash, default))!;
        Assert.Equal(account, caller.Account.Id);
        Assert.True(caller.Key.Allows(OperationKind.Edit));
        Assert.False(caller.Key.Allows(OperationKind.Remix));
        Assert.Equal(60, caller.Key.RatePerMinute);
        Assert.NotNull(await Accounts.RevokeKeyAsync(key.Id, T0, default));
        Assert.Null(await Accounts.FindByKeyHashAsync(hash, default));
    }

    [Fact]
    public async Task Keys_are_listed_in_creation_order_and_updated_and_revoked_with_every_field_kept()
    {
        var account = await NewAccountAsync(0); // with its "default" key, created at T0
        var later = new ApiKey(NewKeyId(), account, "later", new HashSet<OperationKind> { OperationKind.Remix, OperationKind.Edit }, 30, 10, T0.AddSeconds(2), null);
        var earlier = new ApiKey(NewKeyId(), account, "earlier", null, null, null, T0.AddSeconds(1), null);
        Assert.True(await Accounts.AddKeyAsync(later, RandomNumberGenerator.GetBytes(32), default));
        Assert.True(await Accounts.AddKeyAsync(earlier, RandomNumberGenerator.GetBytes(32), default));
        Assert.False(await Accounts.AddKeyAsync(earlier with { Id = NewKeyId(), AccountId = "acct_missing" }, RandomNumberGenerator.GetBytes(32), default));

        var keys = await Accounts.ListKeysAsync(account, default);
        Assert.Equal(["default", "earlier", "later"], keys.Select(k => k.Name));
        Assert.Equal([OperationKind.Edit, OperationKind.Remix], keys[2].Models!.Order());
        Assert.Equal((30, 10, later.CreatedAt, (DateTimeOffset?)null), (keys[2].RatePerMinute, keys[2].Burst, keys[2].CreatedAt, keys[2].RevokedAt));
        Assert.Equal((null, null, null, earlier.CreatedAt), (keys[1].Models, keys[1].RatePerMinute, keys[1].Burst, keys[1].CreatedAt));

        var updated = (await Accounts.UpdateKeyAsync(earlier.Id, new HashSet<OperationKind> { OperationKind.UploadPaint }, 5, null, default))!;
        var read = (await Accounts.GetKeyAsync(earlier.Id, default))!;
        foreach (var key in new[] { updated, read })
        {
            Assert.Equal([OperationKind.UploadPaint], key.Models!);
            Assert.Equal((5, (int?)null, "earlier", earlier.CreatedAt), (key.RatePerMinute, key.Burst, key.Name, key.CreatedAt));
        }
        Assert.Null(await Accounts.UpdateKeyAsync("key_missing", null, null, null, default));

        // The first revocation stands: revoking again keeps its instant.
        Assert.Equal(T0.AddMinutes(1), (await Accounts.RevokeKeyAsync(later.Id, T0.AddMinutes(1), default))!.RevokedAt);
        Assert.Equal(T0.AddMinutes(1), (await Accounts.RevokeKeyAsync(later.Id, T0.AddMinutes(2), default))!.RevokedAt);
        Assert.Equal(T0.AddMinutes(1), (await Accounts.GetKeyAsync(later.Id, default))!.RevokedAt);
        Assert.Null(await Accounts.RevokeKeyAsync("key_missing", T0, default));
        Assert.Null(await Accounts.GetKeyAsync("key_missing", default));
    }

    // Days are UTC days whatever the database's time zone: two tasks a second apart across midnight fall on two days.
    [Fact]
    public async Task Usage_counts_tasks_by_state_model_and_utc_day_with_what_they_were_charged()
    {
        var account = await NewAccountAsync(10 * Price);
        var midnight = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        var before = NewTask(account) with { CreatedAt = midnight.AddMilliseconds(-500) };
        var alsoBefore = NewTask(account) with { CreatedAt = midnight.AddHours(-5) };
        var after = NewTask(account) with { CreatedAt = midnight.AddMilliseconds(500) };
        foreach (var task in new[] { before, alsoBefore, after })
        {
            Assert.Equal(InsertStatus.Inserted, (await InsertAsync(task)).Status);
        }
        await InsertChargeRowAsync(account, before.Id);

        var usage = await Accounts.UsageAsync(account, default);

        Assert.Equal(3, usage.TasksByState["pending"]);
        var model = Assert.Single(usage.ByModel);
        Assert.Equal((OperationKind.UploadPaint, 3, Price), (model.Kind, model.Tasks, model.ChargedMicros));
        Assert.Equal(
            [new DayUsage(new DateOnly(2026, 3, 1), 2, Price), new DayUsage(new DateOnly(2026, 3, 2), 1, 0)],
            usage.ByDay);
    }

    private static string NewKeyId() => "key_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Terminal_states_are_stamped_when_their_transaction_runs_not_when_they_were_asked_for()
    {
        // A transition that waited (for SQLite's writer, for a row lock) records when it was stored: here it is
        // asked for with a time an hour old, as if it had queued that long.
        var account = await NewAccountAsync(3 * Price);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var task = NewTask(account);
            Assert.Equal(InsertStatus.Inserted, (await InsertAsync(task)).Status);
            ids.Add(task.Id);
        }
        var stale = T0 - TimeSpan.FromHours(1);
        var before = DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(1);

        var completed = await ClaimAsync("node-a");
        Assert.True(await Tasks.CompleteAsync(completed.Lease, ["k1", "k2", "k3", "k4"], stale, default));
        var failed = await ClaimAsync("node-a");
        Assert.True(await Tasks.FailAsync(failed.Lease, new TaskFailure(FailureKind.ImageProcessing, "x"), stale, default));
        var cancelled = ids.Single(id => id != completed.Lease.TaskId && id != failed.Lease.TaskId);
        Assert.True((await Tasks.CancelAsync(cancelled, account, stale, default)).CancelledNow);

        foreach (var id in ids)
        {
            var stored = (await Tasks.GetAsync(id, default))!;
            Assert.True(stored.FinishedAt >= before, $"{id} ({stored.State}) was stamped {stored.FinishedAt:O}, before its transaction ran ({before:O})");
        }
        Assert.Equal(2 * Price, await BalanceMatchingLedgerAsync(account)); // the failure and the cancel refunded
    }

    [Fact]
    public async Task A_task_keeps_the_request_id_of_its_create_and_the_pending_summary_counts_the_queue()
    {
        var account = await NewAccountAsync(0, unlimited: true);
        Assert.Equal(new PendingSummary(0, null), await Tasks.PendingSummaryAsync(default));
        var first = NewTask(account) with { RequestId = "req_contract-1", CreatedAt = T0 - TimeSpan.FromMinutes(5) };
        var second = NewTask(account);
        Assert.Equal(InsertStatus.Inserted, (await InsertAsync(first)).Status);
        Assert.Equal(InsertStatus.Inserted, (await InsertAsync(second)).Status);

        Assert.Equal("req_contract-1", (await Tasks.GetAsync(first.Id, default))!.RequestId);
        Assert.Null((await Tasks.GetAsync(second.Id, default))!.RequestId);
        Assert.Equal(new PendingSummary(2, T0 - TimeSpan.FromMinutes(5)), await Tasks.PendingSummaryAsync(default));

        await ClaimAsync("node-a");
        Assert.Equal(1, (await Tasks.PendingSummaryAsync(default)).Count);
    }

    [Fact]
    public async Task A_graceful_stop_releases_its_own_lease_and_claim_and_nothing_it_no_longer_holds()
    {
        var account = await NewAccountAsync(2 * Price);
        var task = NewTask(account, callbackUrl: "http://127.0.0.1:9/hook");
        Assert.Equal(InsertStatus.Inserted, (await InsertAsync(task)).Status);
        var first = await ClaimAsync("node-a");

        Assert.True(await Tasks.ReleaseLeaseAsync(first.Lease, default));
        var released = (await Tasks.GetAsync(task.Id, default))!;
        Assert.Equal(TaskState.Pending, released.State);
        Assert.Equal(1, released.Attempts);
        Assert.False(await Tasks.ReleaseLeaseAsync(first.Lease, default));

        var second = await ClaimAsync("node-b");
        Assert.Equal(2, second.Task.Attempts);
        Assert.False(await Tasks.ReleaseLeaseAsync(first.Lease, default)); // the old lease cannot free the new run
        Assert.True(await Tasks.CompleteAsync(second.Lease, ["k1", "k2", "k3", "k4"], T0, default));

        var delivery = Assert.Single(Handoff.TakeUpTo(10));
        Assert.Empty(await Callbacks.ClaimDueAsync(DateTimeOffset.UtcNow, Lease, 10, default)); // held by its creator
        Assert.True(await Callbacks.ReleaseAsync(delivery, default));
        Assert.False(await Callbacks.ReleaseAsync(delivery, default));
        var again = Assert.Single(await Callbacks.ClaimDueAsync(DateTimeOffset.UtcNow, Lease, 10, default));
        Assert.Equal(delivery.Delivery.Id, again.Delivery.Id);
        Assert.Equal(Price, await BalanceMatchingLedgerAsync(account)); // charged once
    }

    [Fact]
    public async Task A_webhook_delivery_is_recorded_once_under_its_submission_key_while_the_task_runs_and_read_back_whole()
    {
        var account = await NewAccountAsync(10 * Price);
        await InsertAsync(NewTask(account));
        var claim = await ClaimAsync("node-a");
        var taskId = claim.Task.Id;
        Assert.True(await Jobs.BeginSubmissionAsync(claim.Lease, new Core.Engines.Upstream.UpstreamSubmission("cog", "easel-key-1", "token"), T0, Lease, default));
        Assert.True(await Jobs.RecordAcceptedAsync(claim.Lease, "easel-key-1", null, T0.AddHours(1), default));
        var body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);

        Assert.False(await Jobs.RecordDeliveryAsync(taskId, "easel-other-key", Core.Engines.Upstream.WebhookDelivery.Of(body), T0, default));
        Assert.True(await Jobs.RecordDeliveryAsync(taskId, "easel-key-1", Core.Engines.Upstream.WebhookDelivery.Of(body), T0.AddSeconds(1), default));
        Assert.False(await Jobs.RecordDeliveryAsync(taskId, "easel-key-1", Core.Engines.Upstream.WebhookDelivery.Refused("second"), T0, default));

        var recorded = await Jobs.GetDeliveryAsync(taskId, "easel-key-1", default);
        Assert.Equal(body, recorded!.Body);
        Assert.Null(recorded.Refusal);
        Assert.Null(await Jobs.GetDeliveryAsync(taskId, "easel-other-key", default));
        // The delivery moved the poll to now.
        Assert.Equal(T0.AddSeconds(1), (await Jobs.GetAsync(taskId, default))!.NextPollAt);

        await Jobs.ForgetDeliveryAsync(taskId, default);
        Assert.Null(await Jobs.GetDeliveryAsync(taskId, "easel-key-1", default));
        Assert.True(await Tasks.CompleteAsync(claim.Lease, ["k1", "k2", "k3", "k4"], T0, default));
        // A finished task takes no delivery.
        Assert.False(await Jobs.RecordDeliveryAsync(taskId, "easel-key-1", Core.Engines.Upstream.WebhookDelivery.Refused("late"), T0, default));
    }

    [Fact]
    public async Task A_wake_up_recorded_after_a_poll_read_its_job_survives_that_polls_schedule_whatever_its_clock_says()
    {
        var account = await NewAccountAsync(10 * Price);
        await InsertAsync(NewTask(account));
        var claim = await ClaimAsync("node-a");
        var taskId = claim.Task.Id;
        Assert.True(await Jobs.BeginSubmissionAsync(claim.Lease, new Core.Engines.Upstream.UpstreamSubmission("cog", "easel-key-1", "token"), T0, Lease, default));
        Assert.True(await Jobs.RecordAcceptedAsync(claim.Lease, "easel-key-1", null, T0, default));
        var polled = Assert.Single(await Jobs.DueAsync("node-a", T0.AddSeconds(2), 10, default));
        Assert.Equal(0, polled.Job.Wakes);

        // The delivery's instant was taken before the poll began, its write committed after the poll read: the schedule
        // of that poll must not push it back.
        Assert.True(await Jobs.RecordDeliveryAsync(taskId, "easel-key-1", Core.Engines.Upstream.WebhookDelivery.Of([1, 2, 3]), T0.AddSeconds(1), default));
        Assert.True(await Jobs.ScheduleAsync(claim.Lease, T0.AddHours(1), 5, polled.Job.Wakes, default));
        var woken = Assert.Single(await Jobs.DueAsync("node-a", T0.AddSeconds(3), 10, default));
        Assert.Equal(1, woken.Job.Wakes);
        Assert.Equal(T0.AddSeconds(1), woken.Job.NextPollAt);
        Assert.Equal(5, woken.Progress);

        // A poll that read the wake-up schedules as it says; a wake-up after it counts again.
        Assert.True(await Jobs.ScheduleAsync(claim.Lease, T0.AddHours(1), 5, woken.Job.Wakes, default));
        Assert.Empty(await Jobs.DueAsync("node-a", T0.AddSeconds(3), 10, default));
        Assert.True(await Jobs.WakeAsync(taskId, T0.AddSeconds(4), default));
        Assert.True(await Jobs.ScheduleAsync(claim.Lease, T0.AddHours(1), 5, woken.Job.Wakes, default));
        Assert.Equal(2, Assert.Single(await Jobs.DueAsync("node-a", T0.AddSeconds(5), 10, default)).Job.Wakes);
    }

    protected async Task<string> NewAccountAsync(long creditsMicros, bool unlimited = false)
    {
        var id = "acct_" + Guid.NewGuid().ToString("N");
        var account = new Account(id, "contract", IsAdmin: false, T0, unlimited, Account.DefaultGroup, "whsec_test", null);
        var key = new ApiKey("key_" + Guid.NewGuid().ToString("N"), id, "default", null, null, null, T0, null);
        await Accounts.CreateAsync(account, key, RandomNumberGenerator.GetBytes(32), creditsMicros, default);
        return id;
    }

    protected static TaskRecord NewTask(string accountId, string? callbackUrl = null) => new(
        TaskIds.New(Dialect.Unified, T0),
        accountId,
        Dialect.Unified,
        new UploadPaint("contract", Speed.Fast, new ExternalImage("http://127.0.0.1:9/a.png"), new CanvasSize(128, 128),
            new Placement(64, 64, 32, 32), new PolygonMask([new MaskArea(100, 100, [30, 30, 30, 45, 45, 45, 45, 30])])),
        TaskState.Pending,
        0,
        T0,
        null,
        null,
        Price,
        null,
        [],
        callbackUrl,
        0);

    protected Task<InsertResult> InsertAsync(TaskRecord task) => Tasks.InsertAsync(task, new TaskAdmission(1000, null), T0, default);

    private async Task<ClaimedTask> ClaimAsync(string node) =>
        await Tasks.ClaimNextAsync(node, T0, Lease, default) ?? throw new InvalidOperationException("no task to claim");

    /// <summary>The balance, after checking that it equals the sum of the account's ledger.</summary>
    protected async Task<long> BalanceMatchingLedgerAsync(string accountId)
    {
        var balance = (await Accounts.GetAsync(accountId, default))!.BalanceMicros;
        var ledger = await Accounts.LedgerAsync(accountId, null, 10_000, default);
        Assert.Equal(balance, ledger.Sum(e => e.AmountMicros));
        return balance;
    }
}
