using Easel.Core.Operations;

namespace Easel.Server.Dialects.Classic;

internal static class ClassicModels
{
    private static readonly Dictionary<string, OperationKind> ByName = new(StringComparer.Ordinal)
    {
        ["midjourney_uploadpaint"] = OperationKind.UploadPaint,
        ["midjourney_edit"] = OperationKind.Edit,
        ["midjourney_inpaint"] = OperationKind.Inpaint,
        ["midjourney_remix"] = OperationKind.Remix,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryGetKind(string name, out OperationKind kind) => ByName.TryGetValue(name, out kind);

    public static string NameOf(OperationKind kind) => kind switch
    {
        OperationKind.UploadPaint => "midjourney_uploadpaint",
        OperationKind.Edit => "midjourney_edit",
        OperationKind.Inpaint => "midjourney_inpaint",
        OperationKind.Remix => "midjourney_remix",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
