using System.Text.Json;
using System.Text.Json.Serialization;

namespace Easel.Server.Dialects.Unified;

internal static class UnifiedJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
