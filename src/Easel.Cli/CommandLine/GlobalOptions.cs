using System.CommandLine;

namespace Easel.Cli.CommandLine;

/// <summary>--url, --key and --json: recursive, so every verb takes them, before or after its own arguments.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultUrl = "http://localhost:5080";

    private readonly Func<string, string?> _environment;

    public GlobalOptions(Func<string, string?> environment)
    {
        _environment = environment;
        Url = new Option<string>("--url")
        {
            Description = "Base URL of the Easel server [env: EASEL_URL]",
            HelpName = "url",
            Recursive = true,
            DefaultValueFactory = _ => NonEmpty(environment("EASEL_URL")) ?? DefaultUrl,
        };
        Url.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"--url must be an absolute http:// or https:// URL, not '{value}'");
            }
        });
        Key = new Option<string?>("--key")
        {
            Description = "API key sent as a bearer token [env: EASEL_KEY]",
            HelpName = "key",
            Recursive = true,
        };
        Json = new Option<bool>("--json")
        {
            Description = "Print the server's JSON answer as it is, for scripts",
            Recursive = true,
        };
    }

    public Option<string> Url { get; }

    public Option<string?> Key { get; }

    public Option<bool> Json { get; }

    /// <summary>
    /// --key, else EASEL_KEY. Not a default value of the option: help prints defaults, and would print the key.
    /// </summary>
    public string? KeyOf(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return NonEmpty(parse.GetValue(Key)) ?? NonEmpty(_environment("EASEL_KEY"));
    }

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(Key);
        root.Options.Add(Json);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
