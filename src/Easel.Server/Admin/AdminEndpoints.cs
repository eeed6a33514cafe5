using System.Text.Json;
using Easel.Core.Accounts;
using Easel.Core.Pricing;
using Easel.Server.Auth;
using Easel.Server.Dialects.Unified;
using Easel.Server.Http;
using Easel.Server.OpenApi;

namespace Easel.Server.Admin;

/// <summary>Administration, admin keys only: accounts, credits, keys, ledger, usage. And GET /v1/account for any key.</summary>
internal static class AdminEndpoints
{
    private const int MaxNameLength = 200;
    private const int AdminBodyLimit = 64 * 1024;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        // Not in the OpenAPI documents (yet): their bodies are read by hand and have no documentation shapes.
        var admin = app.MapGroup("/admin").RequireApiKey(UnifiedErrors.Instance, adminOnly: true).ExcludeFromDescription();
        admin.MapPost("/accounts", CreateAccountAsync);
        admin.MapGet("/accounts", ListAccountsAsync);
        admin.MapGet("/accounts/{accountId}", GetAccountAsync);
        admin.MapPost("/accounts/{accountId}/credits", AdjustCreditsAsync);
        admin.MapPost("/accounts/{accountId}/keys", CreateKeyAsync);
        admin.MapGet("/accounts/{accountId}/keys", ListKeysAsync);
        admin.MapGet("/accounts/{accountId}/ledger", LedgerAsync);
        admin.MapGet("/accounts/{accountId}/usage", UsageAsync);
        admin.MapPatch("/keys/{keyId}", UpdateKeyAsync);
        admin.MapPost("/keys/{keyId}/revoke", RevokeKeyAsync);

        app.MapGet("/v1/account", OwnAccountAsync).RequireApiKey(UnifiedErrors.Instance)
            .WithGroupName(UnifiedDocumentation.DocumentName).WithTags(UnifiedDocumentation.AccountTag).WithName("getOwnAccount")
            .WithSummary("The account of the key: balance, usage, webhook secret")
            .Produces<AccountView>(StatusCodes.Status200OK).ProducesErrors(UnifiedDocumentation.Instance, 401, 404, 500);
        return app;
    }

    private static Task<IResult> CreateAccountAsync(HttpContext http, AccountService accounts) =>
        WithBodyAsync(http, async body =>
        {
            var name = AdminInput.OptionalString(body, "name", MaxNameLength)
                ?? throw new AdminInput.InvalidField("name", $"name is required: a string of 1-{MaxNameLength} characters");
            var draft = new AccountDraft(
                name,
                Unlimited: AdminInput.OptionalBool(body, "unlimited") ?? false,
                Group: AdminInput.OptionalString(body, "group", 64),
                InitialCreditsMicros: Credits.FromCredits(AdminInput.OptionalCredits(body, "credits", allowNegative: false) ?? 0),
                MaxActiveTasks: AdminInput.OptionalInt(body, "max_active_tasks", 1, 100_000));
            var created = await accounts.CreateAsync(draft, http.RequestAborted);
            var a = created.Account;
            return TypedResults.Json(new CreatedAccountView(a.Id, a.Name, created.ApiKeySecret, created.Key.Id, a.WebhookSecret,
                Credits.ToCredits(draft.InitialCreditsMicros), a.Group, a.Unlimited), UnifiedJson.Options, statusCode: StatusCodes.Status201Created);
        });

    private static async Task<IResult> ListAccountsAsync(IAccountStore store, HttpContext http) =>
        TypedResults.Json(new ListView<AccountView>((await store.ListAsync(http.RequestAborted)).Select(s => AccountView.From(s)).ToList()), UnifiedJson.Options);

    private static async Task<IResult> GetAccountAsync(string accountId, IAccountStore store, HttpContext http)
    {
        var summary = await store.GetAsync(accountId, http.RequestAborted);
        return summary is null
            ? AccountNotFound(accountId)
            : TypedResults.Json(AccountView.From(summary, withSecret: true, await store.UsageAsync(accountId, http.RequestAborted)), UnifiedJson.Options);
    }

    private static Task<IResult> AdjustCreditsAsync(string accountId, HttpContext http, AccountService accounts) =>
        WithBodyAsync(http, async body =>
        {
            var amount = AdminInput.OptionalCredits(body, "amount", allowNegative: true);
            if (amount is null or 0)
            {
                throw new AdminInput.InvalidField("amount", "amount is required: a non-zero number of credits (negative adjusts down)");
            }
            var reason = AdminInput.OptionalString(body, "reason", 500);
            var (outcome, balance) = await accounts.AdjustCreditsAsync(accountId, amount.Value, reason, http.RequestAborted);
            return outcome switch
            {
                AdjustOutcome.NotFound => AccountNotFound(accountId),
                AdjustOutcome.WouldGoNegative => UnifiedErrors.Conflict("The adjustment would take the balance below zero", "amount"),
                _ => TypedResults.Json(new { account_id = accountId, amount = amount.Value, balance = Credits.ToCredits(balance) }, UnifiedJson.Options),
            };
        });

    private static Task<IResult> CreateKeyAsync(string accountId, HttpContext http, AccountService accounts) =>
        WithBodyAsync(http, async body =>
        {
            var name = AdminInput.OptionalString(body, "name", MaxNameLength) ?? "key";
            var (_, models) = AdminInput.OptionalModels(body);
            var rate = AdminInput.OptionalInt(body, "rate_per_minute", 1, 1_000_000);
            var burst = AdminInput.OptionalInt(body, "burst", 1, 1_000_000);
            var created = await accounts.CreateKeyAsync(accountId, name, models, rate, burst, http.RequestAborted);
            return created is null
                ? AccountNotFound(accountId)
                : TypedResults.Json(KeyView.From(created.Key, created.Secret), UnifiedJson.Options, statusCode: StatusCodes.Status201Created);
        });

    private static async Task<IResult> ListKeysAsync(string accountId, IAccountStore store, HttpContext http)
    {
        if (await store.GetAsync(accountId, http.RequestAborted) is null)
        {
            return AccountNotFound(accountId);
        }
        var keys = await store.ListKeysAsync(accountId, http.RequestAborted);
        return TypedResults.Json(new ListView<KeyView>(keys.Select(k => KeyView.From(k)).ToList()), UnifiedJson.Options);
    }

    private static Task<IResult> UpdateKeyAsync(string keyId, HttpContext http, AccountService accounts, IAccountStore store) =>
        WithBodyAsync(http, async body =>
        {
            var current = await store.GetKeyAsync(keyId, http.RequestAborted);
            if (current is null)
            {
                return KeyNotFound(keyId);
            }
            // A field that is present replaces the key's value (null clears it); an absent one keeps it.
            var (modelsPresent, models) = AdminInput.OptionalModels(body);
            var rate = body.Property("rate_per_minute") is null ? current.RatePerMinute : AdminInput.OptionalInt(body, "rate_per_minute", 1, 1_000_000);
            var burst = body.Property("burst") is null ? current.Burst : AdminInput.OptionalInt(body, "burst", 1, 1_000_000);
            var updated = await accounts.UpdateKeyAsync(keyId, modelsPresent ? models : current.Models, rate, burst, http.RequestAborted);
            return updated is null ? KeyNotFound(keyId) : TypedResults.Json(KeyView.From(updated), UnifiedJson.Options);
        });

    private static async Task<IResult> RevokeKeyAsync(string keyId, HttpContext http, AccountService accounts)
    {
        var key = await accounts.RevokeKeyAsync(keyId, http.RequestAborted);
        return key is null ? KeyNotFound(keyId) : TypedResults.Json(KeyView.From(key), UnifiedJson.Options);
    }

    private static async Task<IResult> LedgerAsync(string accountId, HttpContext http, IAccountStore store, int? limit, long? before)
    {
        var summary = await store.GetAsync(accountId, http.RequestAborted);
        if (summary is null)
        {
            return AccountNotFound(accountId);
        }
        var entries = await store.LedgerAsync(accountId, before, Math.Clamp(limit ?? 100, 1, 1000), http.RequestAborted);
        return TypedResults.Json(new
        {
            account_id = accountId,
            balance = Credits.ToCredits(summary.BalanceMicros),
            data = entries.Select(LedgerView.From).ToList(),
        }, UnifiedJson.Options);
    }

    private static async Task<IResult> UsageAsync(string accountId, HttpContext http, IAccountStore store)
    {
        if (await store.GetAsync(accountId, http.RequestAborted) is null)
        {
            return AccountNotFound(accountId);
        }
        return TypedResults.Json(UsageView.From(await store.UsageAsync(accountId, http.RequestAborted)), UnifiedJson.Options);
    }

    private static async Task<IResult> OwnAccountAsync(HttpContext http, IAccountStore store)
    {
        var account = http.Account();
        var summary = await store.GetAsync(account.Id, http.RequestAborted);
        return summary is null
            ? UnifiedErrors.NotFound("The account of this key no longer exists")
            : TypedResults.Json(AccountView.From(summary, withSecret: true, await store.UsageAsync(account.Id, http.RequestAborted)), UnifiedJson.Options);
    }

    private static async Task<IResult> WithBodyAsync(HttpContext http, Func<JsonElement, Task<IResult>> handle)
    {
        var (body, problem, message) = await JsonBody.ReadObjectAsync(http.Request, AdminBodyLimit);
        if (problem == BodyProblem.TooLarge)
        {
            return UnifiedErrors.TooLarge(message!);
        }
        if (body is null)
        {
            return UnifiedErrors.InvalidRequest(message!);
        }
        using (body)
        {
            try
            {
                return await handle(body.Root);
            }
            catch (AdminInput.InvalidField e)
            {
                return UnifiedErrors.InvalidRequest(e.Message, e.Param);
            }
        }
    }

    private static IResult AccountNotFound(string accountId) => UnifiedErrors.NotFound($"Account {accountId} was not found");

    private static IResult KeyNotFound(string keyId) => UnifiedErrors.NotFound($"Key {keyId} was not found");
}
