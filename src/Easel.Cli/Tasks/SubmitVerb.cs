using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json.Nodes;
using Easel.Cli.CommandLine;
using Easel.Cli.Http;
using Easel.Core.Models;
using Easel.Core.Operations;

namespace Easel.Cli.Tasks;

/// <summary>
/// <c>easel submit &lt;model&gt;</c>: builds a unified create request from options (uploading local images first),
/// posts it, follows the task to its end and saves its images (four, or one for upscale and remove-bg) as 1..n in a folder.
/// The models, their fields and their choices are the catalog's (Easel.Core.Models).
/// </summary>
internal static class SubmitVerb
{
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(5);

    public static void AddTo(RootCommand root, VerbRunner verbs)
    {
        var model = new Argument<string>("model")
        {
            Description = "A model of the catalog (easel models): " + string.Join(", ", ModelCatalog.UnifiedNames)
                + " (or its operation: " + string.Join(", ", ModelCatalog.All.Select(m => m.Operation)) + ")",
        };
        // --text is the classic diffusion spelling of imagine's prompt; both send the unified prompt.
        var prompt = new Option<string?>("--prompt", "-p", "--text") { Description = "What to paint (imagine, retexture; the remix prompt of the others)", HelpName = "text" };
        var image = new Option<string?>("--image") { Description = "Source image of upload-paint, retexture and remove-bg: an http(s) URL, or a local PNG/JPEG file (uploaded first)", HelpName = "url|file" };
        image.Validators.Add(UrlOrFile);
        var task = new Option<string?>("--task") { Description = "Source task of a secondary model (edit, inpaint, remix, variation, upscale, outpaint, pan, enhance)", HelpName = "task-id" };
        var number = new Option<int?>("--image-number") { Description = "Which of the source task's images, 0-3 (saved as 1..4); default 0", HelpName = "n" };
        var mask = new Option<string?>("--mask") { Description = "Mask image (white repaints, black keeps): an http(s) URL or a local file", HelpName = "url|file" };
        mask.Validators.Add(UrlOrFile);
        var areas = new Option<int[][]>("--mask-area")
        {
            Description = "A polygon to repaint, x1,y1,x2,y2,... (at least 3 points); repeat for more areas",
            HelpName = "points",
            CustomParser = r => r.Tokens.Select(t => Geometry.ParsePoints(r, t.Value) ?? []).ToArray(),
        };
        var frame = new Option<Size?>("--mask-frame")
        {
            Description = "The WxH frame the --mask-area points are drawn in (default: --canvas)",
            HelpName = "WxH",
            CustomParser = Geometry.ParseSize,
        };
        var canvas = new Option<Size?>("--canvas") { Description = "Output size of upload-paint and edit", HelpName = "WxH", CustomParser = Geometry.ParseSize };
        var position = new Option<Placement?>("--position")
        {
            Description = "Size and top-left of the source image on the canvas",
            HelpName = "WxH+X+Y",
            CustomParser = Geometry.ParsePlacement,
        };
        var mode = new Option<string?>("--mode") { Description = "Remix strength: strong (default) or subtle", HelpName = "strength" };
        mode.AcceptOnlyFromAmong(Spellings(RequestField.Mode));
        var type = new Option<string?>("--type")
        {
            Description = "Variation: subtle or strong (default); upscale: standard (default) or creative",
            HelpName = "type",
        };
        type.AcceptOnlyFromAmong(Spellings(RequestField.Type));
        var scale = new Option<decimal?>("--scale") { Description = "Outpaint: 1.1-2.0 (the canvas around the image); pan: 1.1-3.0 (along --direction)", HelpName = "factor" };
        var direction = new Option<string?>("--direction") { Description = "Pan: left, right, up or down", HelpName = "side" };
        direction.AcceptOnlyFromAmong(Spellings(RequestField.Direction));
        var speed = new Option<string?>("--speed") { Description = "fast (default) or turbo (twice the price, served first); imagine also draft (half)", HelpName = "speed" };
        speed.AcceptOnlyFromAmong(Spellings(RequestField.Speed));
        var format = new Option<string?>("--output-format") { Description = "png (default), jpeg or webp", HelpName = "format" };
        format.AcceptOnlyFromAmong(Spellings(RequestField.OutputFormat));
        var callback = new Option<string?>("--callback-url") { Description = "HTTPS URL told of the task's end", HelpName = "url" };
        var idempotency = new Option<string?>("--idempotency-key") { Description = "Submitting again with the same key and options returns the first task", HelpName = "key" };
        var noWait = new Option<bool>("--no-wait") { Description = "Only create the task and print it; do not follow or download" };
        var outDir = new Option<string?>("--out", "-o") { Description = "Folder for the images (default ./<task-id>/)", HelpName = "dir" };
        var cancelOnInterrupt = new Option<bool>("--cancel-on-interrupt") { Description = "On Ctrl-C, cancel the task (default: stop following; it runs on)" };
        var interval = new Option<double>("--poll-interval")
        {
            Description = "Seconds between polls of the task",
            HelpName = "seconds",
            DefaultValueFactory = _ => 1.0,
        };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.1 or > 60)
            {
                r.AddError("--poll-interval must be from 0.1 to 60 seconds");
            }
        });

        var command = new Command("submit", "Create a task, follow it with a progress bar and save its images")
        {
            model, prompt, image, task, number, mask, areas, frame, canvas, position, mode, type, scale, direction, speed, format, callback,
            idempotency, noWait, outDir, cancelOnInterrupt, interval,
        };
        // Each option is a field of some models: given to a model without that field, it is refused here rather than
        // silently dropped by the server (which ignores what a model does not read).
        var fields = new (Option Option, RequestField Field)[]
        {
            (prompt, RequestField.Prompt), (image, RequestField.ImageUrl), (task, RequestField.TaskId), (number, RequestField.ImageNumber),
            (mask, RequestField.Mask), (areas, RequestField.Mask), (canvas, RequestField.Canvas), (position, RequestField.Position),
            (mode, RequestField.Mode), (type, RequestField.Type), (scale, RequestField.Scale), (direction, RequestField.Direction),
            (speed, RequestField.Speed), (format, RequestField.OutputFormat), (callback, RequestField.Callback),
        };
        command.Validators.Add(result =>
        {
            if (Entry(result.GetValue(model)) is { } entry)
            {
                foreach (var (option, field) in fields)
                {
                    if (result.GetResult(option) is { Implicit: false } && !entry.Has(field))
                    {
                        result.AddError($"{entry.UnifiedName} takes no {option.Name}");
                    }
                }
                if (result.GetValue(speed) is { } s && !entry.Speeds.Any(v => v.ToString().Equals(s, StringComparison.OrdinalIgnoreCase)))
                {
                    result.AddError($"{entry.UnifiedName} takes --speed {string.Join(" or ", entry.Speeds.Select(v => v.ToString().ToLowerInvariant()))}");
                }
            }
            if (result.GetResult(mask) is { Implicit: false } && result.GetResult(areas) is { Implicit: false })
            {
                result.AddError("--mask and --mask-area cannot be used together");
            }
            if (result.GetResult(areas) is { Implicit: false } && result.GetValue(frame) is null && result.GetValue(canvas) is null)
            {
                result.AddError("--mask-area needs --mask-frame WxH (the frame its points are drawn in) when there is no --canvas");
            }
            if (result.GetResult(frame) is { Implicit: false } && result.GetResult(areas) is null)
            {
                result.AddError("--mask-frame is the frame of --mask-area points: give those too");
            }
            if (result.GetResult(noWait) is { Implicit: false } && (result.GetResult(outDir) is { Implicit: false } || result.GetResult(cancelOnInterrupt) is { Implicit: false }))
            {
                result.AddError("--no-wait does not follow the task: --out and --cancel-on-interrupt do not apply");
            }
        });

        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var client = context.Client;
            string? taskId = null;
            try
            {
                var body = new JsonObject { ["model"] = ModelName(parse.GetRequiredValue(model)) };
                AddIfSet(body, "prompt", parse.GetValue(prompt));
                if (parse.GetValue(image) is { } source)
                {
                    body["image_urls"] = new JsonArray(await UrlOfAsync(client, source, cancellationToken));
                }
                var p = new JsonObject();
                if (parse.GetValue(canvas) is { } c)
                {
                    p["canvas"] = new JsonObject { ["width"] = c.Width, ["height"] = c.Height };
                }
                if (parse.GetValue(position) is { } at)
                {
                    p["img_pos"] = new JsonObject { ["width"] = at.Width, ["height"] = at.Height, ["x"] = at.X, ["y"] = at.Y };
                }
                if (parse.GetValue(mask) is { } maskSource)
                {
                    p["mask"] = new JsonObject { ["url"] = await UrlOfAsync(client, maskSource, cancellationToken) };
                }
                else if (parse.GetValue(areas) is { Length: > 0 } polygons)
                {
                    var f = parse.GetValue(frame) ?? parse.GetValue(canvas)!.Value;
                    p["mask"] = new JsonObject
                    {
                        ["areas"] = new JsonArray(polygons.Select(points => (JsonNode)new JsonObject
                        {
                            ["width"] = f.Width,
                            ["height"] = f.Height,
                            ["points"] = new JsonArray(points.Select(v => (JsonNode)v).ToArray()),
                        }).ToArray()),
                    };
                }
                AddIfSet(p, "task_id", parse.GetValue(task));
                AddIfSet(p, "image_number", parse.GetValue(number));
                AddIfSet(p, "mode", parse.GetValue(mode));
                AddIfSet(p, "type", parse.GetValue(type));
                if (parse.GetValue(scale) is { } factor)
                {
                    p["scale"] = factor;
                }
                AddIfSet(p, "direction", parse.GetValue(direction));
                AddIfSet(p, "speed", parse.GetValue(speed));
                AddIfSet(p, "output_format", parse.GetValue(format));
                if (p.Count > 0)
                {
                    body["model_params"] = p;
                }
                AddIfSet(body, "callback_url", parse.GetValue(callback));

                var headers = new Dictionary<string, string>();
                if (parse.GetValue(idempotency) is { } key)
                {
                    headers["Idempotency-Key"] = key;
                }
                var created = await client.PostAsync("v1/images/generations", body, headers, cancellationToken);
                taskId = created.Read<TaskWire>().Id;
                if (parse.GetValue(noWait))
                {
                    Print(context.Output, created);
                    return ExitCodes.Success;
                }

                if (!context.Output.Json)
                {
                    // The id first, so a log or a person has it even if the follow is cut short.
                    context.Output.Line($"Created task {taskId}; following it (Ctrl-C stops following)");
                }
                var follower = new TaskFollower(client, context.Output, TimeSpan.FromSeconds(parse.GetValue(interval)));
                try
                {
                    var end = await follower.FollowAsync(created, cancellationToken);
                    return await FinishAsync(context, end, parse.GetValue(outDir), cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return await InterruptedAsync(context, follower.Last!, parse.GetValue(cancelOnInterrupt));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && taskId is null)
            {
                await context.Output.Error.WriteLineAsync(
                    "interrupted before the server answered: the task may or may not exist (an --idempotency-key makes a retry safe)");
                return ExitCodes.Interrupted;
            }
        });
        root.Subcommands.Add(command);
    }

    /// <summary>Completed: save the images. Failed or cancelled: say so on stderr and answer the matching exit code.</summary>
    private static async Task<int> FinishAsync(VerbContext context, ApiAnswer end, string? outDir, CancellationToken cancellationToken)
    {
        var task = end.Read<TaskWire>();
        var output = context.Output;
        if (task.Status == "completed")
        {
            var directory = Path.GetFullPath(outDir ?? task.Id);
            var saved = await ResultDownloader.SaveAsync(task.Results ?? [], directory, cancellationToken);
            if (output.Json)
            {
                output.Raw(end.Raw);
                return ExitCodes.Success;
            }
            TaskDisplay.Write(output, task);
            output.Line($"Saved {saved.Count} images to {directory}{Path.DirectorySeparatorChar}: {string.Join(' ', saved.Select(Path.GetFileName))}");
            return ExitCodes.Success;
        }
        Print(output, end);
        if (task.IsCancelled)
        {
            await output.Error.WriteLineAsync($"error: task {task.Id} was cancelled");
            return ExitCodes.TaskCancelled;
        }
        await output.Error.WriteLineAsync($"error: task {task.Id} failed: {task.Error?.Code}: {task.Error?.Message}");
        return ExitCodes.TaskFailed;
    }

    /// <summary>
    /// Ctrl-C while following: the task runs on unless --cancel-on-interrupt, in which case it is cancelled (with a
    /// fresh deadline: the interrupted token cannot carry the request). Either way the task as last known is printed.
    /// </summary>
    private static async Task<int> InterruptedAsync(VerbContext context, ApiAnswer last, bool cancel)
    {
        var task = last.Read<TaskWire>();
        var output = context.Output;
        if (!cancel)
        {
            Print(output, last);
            await output.Error.WriteLineAsync(
                $"interrupted: stopped following task {task.Id}; it goes on on the server (easel tasks show {task.Id}, easel tasks cancel {task.Id})");
            return ExitCodes.Interrupted;
        }
        using var deadline = new CancellationTokenSource(CancelTimeout);
        try
        {
            var cancelled = await context.Client.PostAsync($"v1/tasks/{EaselClient.Segment(task.Id)}/cancel", null, deadline.Token);
            Print(output, cancelled);
            await output.Error.WriteLineAsync($"interrupted: cancelled task {task.Id}; its credits are refunded");
        }
        catch (EaselApiException e) when (e.Status == System.Net.HttpStatusCode.Conflict)
        {
            // It ended between the last poll and the cancel: there is nothing left to stop.
            Print(output, await context.Client.GetAsync($"v1/tasks/{EaselClient.Segment(task.Id)}", deadline.Token));
            await output.Error.WriteLineAsync($"interrupted: task {task.Id} had already finished; nothing to cancel");
        }
        return ExitCodes.Interrupted;
    }

    private static void Print(Output output, ApiAnswer answer)
    {
        if (output.Json)
        {
            output.Raw(answer.Raw);
            return;
        }
        TaskDisplay.Write(output, answer.Read<TaskWire>());
    }

    /// <summary>A URL as it is; a local file uploaded with POST /v1/files and replaced by the URL Easel gives it.</summary>
    private static async Task<string> UrlOfAsync(EaselClient client, string source, CancellationToken cancellationToken) =>
        IsHttpUrl(source) ? source : (await client.UploadAsync("v1/files", source, cancellationToken)).Read<UploadedFileWire>().Url;

    private static void UrlOrFile(OptionResult result)
    {
        var value = result.GetValueOrDefault<string?>();
        if (value is not null && !IsHttpUrl(value) && !File.Exists(value))
        {
            result.AddError($"{result.Option.Name}: '{value}' is neither an http(s) URL nor a file");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>A model by its unified or classic name or its operation (upscale, remove-bg); null when the catalog has none of them.</summary>
    private static ModelEntry? Entry(string? name) =>
        name is null ? null
        : ModelCatalog.TryAny(name, out var entry) ? entry
        : ModelCatalog.All.FirstOrDefault(m => m.Operation == name);

    /// <summary>The unified name of a catalog model (the body is always unified); anything else goes as written, for the server to refuse.</summary>
    private static string ModelName(string name) => Entry(name)?.UnifiedName ?? name;

    /// <summary>Every unified spelling of a choice field across the catalog (the model's own subset is checked by the server).</summary>
    private static string[] Spellings(RequestField field) =>
        ModelCatalog.All.Select(m => m.FieldOf(field)?.Choices).OfType<ChoiceSet>()
            .SelectMany(c => c.Choices).Select(c => c.Unified).OfType<string>().Distinct().ToArray();

    private static void AddIfSet(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }

    private static void AddIfSet(JsonObject body, string name, int? value)
    {
        if (value is not null)
        {
            body[name] = value.Value;
        }
    }
}
