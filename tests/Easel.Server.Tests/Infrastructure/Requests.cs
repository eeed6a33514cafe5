namespace Easel.Server.Tests.Infrastructure;

/// <summary>Valid request bodies to start from; a test changes the one field it is about.</summary>
public static class Requests
{
    public static Dictionary<string, object?> UnifiedUploadPaint(string imageUrl, int canvas = 128) => new()
    {
        ["model"] = "mj-v7-upload-paint",
        ["prompt"] = "a quiet harbour",
        ["image_urls"] = new[] { imageUrl },
        ["model_params"] = new Dictionary<string, object?>
        {
            ["canvas"] = new { width = canvas, height = canvas },
            ["img_pos"] = new { width = canvas / 2, height = canvas / 2, x = canvas / 4, y = canvas / 4 },
            ["mask"] = new { areas = new[] { new { width = 100, height = 100, points = new[] { 30, 30, 30, 45, 45, 45, 45, 30 } } } },
        },
    };

    public static Dictionary<string, object?> ClassicUploadPaint(string imageUrl, int canvas = 128) => new()
    {
        ["model"] = "midjourney_uploadpaint",
        ["imgUrl"] = imageUrl,
        ["canvas"] = new { width = canvas, height = canvas },
        ["imgPos"] = new { width = canvas / 2, height = canvas / 2, x = canvas / 4, y = canvas / 4 },
        ["mask"] = new { areas = new[] { new { width = 100, height = 100, points = new[] { 30, 30, 30, 45, 45, 45, 45, 30 } } } },
        ["remixPrompt"] = "a quiet harbour",
    };
}
