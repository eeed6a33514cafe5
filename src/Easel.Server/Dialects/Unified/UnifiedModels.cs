using Easel.Core.Operations;

namespace Easel.Server.Dialects.Unified;

internal static class UnifiedModels
{
    private static readonly Dictionary<string, OperationKind> ByName = new(StringComparer.Ordinal)
    {
        ["mj-v7-upload-paint"] = OperationKind.UploadPaint,
        ["mj-v7-edit"] = OperationKind.Edit,
        ["mj-v7-inpaint"] = OperationKind.Inpaint,
        ["mj-v7-remix"] = OperationKind.Remix,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryGetKind(string name, out OperationKind kind) => ByName.TryGetValue(name, out kind);

    public static string NameOf(OperationKind kind) => kind switch
    {
        OperationKind.UploadPaint => "mj-v7-upload-paint",
        OperationKind.Edit => "mj-v7-edit",
        OperationKind.Inpaint => "mj-v7-inpaint",
        OperationKind.Remix => "mj-v7-remix",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
