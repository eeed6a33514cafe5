using Easel.Core.Tasks;

namespace Easel.Server.Dialects;

/// <summary>The words of a model_not_available refusal, the same in both dialects but for the model's name.</summary>
internal static class ModelAvailability
{
    public static string Refusal(string model, CreateResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"Model {model} is not available on this server: {result.Message}. It needs an engine with the "
            + $"'{result.Missing}' capability (an upstream engine in Easel:Engines, API.md section 10); GET /v1/models lists what is served here.";
    }
}
