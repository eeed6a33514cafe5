using Easel.Core.Operations;

namespace Easel.Server.Dialects.Unified;

internal static class UnifiedModels
{
    // Constants so the documentation shapes' discriminators (attributes) name the same strings.
    public const string UploadPaintName = "mj-v7-upload-paint";
    public const string EditName = "mj-v7-edit";
    public const string InpaintName = "mj-v7-inpaint";
    public const string RemixName = "mj-v7-remix";

    private static readonly Dictionary<string, OperationKind> ByName = new(StringComparer.Ordinal)
    {
        [UploadPaintName] = OperationKind.UploadPaint,
        [EditName] = OperationKind.Edit,
        [InpaintName] = OperationKind.Inpaint,
        [RemixName] = OperationKind.Remix,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryGetKind(string name, out OperationKind kind) => ByName.TryGetValue(name, out kind);

    public static string NameOf(OperationKind kind) => kind switch
    {
        OperationKind.UploadPaint => UploadPaintName,
        OperationKind.Edit => EditName,
        OperationKind.Inpaint => InpaintName,
        OperationKind.Remix => RemixName,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
