namespace Easel.Core.Accounts;

public sealed record Account(string Id, string Name, bool IsAdmin, DateTimeOffset CreatedAt);

public sealed record NewAccount(Account Account, string ApiKey);
