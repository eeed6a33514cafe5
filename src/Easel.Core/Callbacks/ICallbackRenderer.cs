using Easel.Core.Tasks;

namespace Easel.Core.Callbacks;

/// <summary>Renders a finished task as the query response of the dialect it was created in (the callback body).</summary>
public interface ICallbackRenderer
{
    string Render(TaskRecord task);
}
