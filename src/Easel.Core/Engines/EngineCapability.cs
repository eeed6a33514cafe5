namespace Easel.Core.Engines;

/// <summary>
/// What an engine must be able to do to serve a model (a catalog entry names one; an engine lists those it has).
/// Named after the operations, with upscale's creative variant apart: inventing detail is another skill than
/// enlarging what is there.
/// </summary>
public enum EngineCapability
{
    UploadPaint,
    Edit,
    Inpaint,
    Remix,
    Imagine,
    Variation,
    Upscale,
    CreativeUpscale,
    Outpaint,
    Pan,
    Enhance,
    Retexture,
    RemoveBackground,
}
