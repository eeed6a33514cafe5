using Easel.Core.Operations;

namespace Easel.Server.Dialects.Classic;

internal static class ClassicModels
{
    // Constants so the documentation shapes' discriminators (attributes) name the same strings.
    public const string UploadPaintName = "midjourney_uploadpaint";
    public const string EditName = "midjourney_edit";
    public const string InpaintName = "midjourney_inpaint";
    public const string RemixName = "midjourney_remix";

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
