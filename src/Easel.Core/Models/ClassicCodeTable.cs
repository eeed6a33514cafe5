using System.Globalization;
using Easel.Core.Operations;

namespace Easel.Core.Models;

/// <summary>One row of a model's classic error table.</summary>
/// <param name="Number">The row's number (001-099); the code is the model's prefix followed by it.</param>
/// <param name="Field">The field the row is about; null for the rows of failed tasks (098, 099).</param>
/// <param name="Problem">The one problem the row stands for; null for every problem of the field not given a row of its own.</param>
public sealed record ClassicCode(int Number, RequestField? Field, FieldProblem? Problem, string Description);

/// <summary>
/// A model's classic error codes (API.md sections 4 and 9): 9 digits printed (004014001), an integer on the wire
/// (4014001), the model's prefix and a row number. The seeds' tables are written out as the seeds give them; the
/// tables the vendors do not publish are generated from the model's fields in order (<see cref="FromFields"/>).
/// </summary>
public sealed class ClassicCodeTable
{
    public const int GenerationFailedNumber = 98;
    public const int ServiceUnavailableNumber = 99;

    public ClassicCodeTable(int prefix, IReadOnlyList<ClassicCode> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Prefix = prefix;
        Rows = rows
            .Append(new ClassicCode(GenerationFailedNumber, null, null, "Generation failed"))
            .Append(new ClassicCode(ServiceUnavailableNumber, null, null, "Service unavailable"))
            .ToList();
    }

    /// <summary>The model's prefix as an integer: 4014 for 004014.</summary>
    public int Prefix { get; }

    /// <summary>Every row, the field rows in order, then 098 and 099.</summary>
    public IReadOnlyList<ClassicCode> Rows { get; }

    public int Code(int number) => (Prefix * 1000) + number;

    /// <summary>How the seeds print a code: zero-padded to 9 digits.</summary>
    public static string Printed(int code) => code.ToString("000000000", CultureInfo.InvariantCulture);

    /// <summary>The row of a field error: the field's row for that problem, else its row for any problem; null if the table has none.</summary>
    public int? NumberFor(FieldError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var row = Rows.FirstOrDefault(r => r.Field == error.Field && r.Problem == error.Problem)
            ?? Rows.FirstOrDefault(r => r.Field == error.Field && r.Problem is null);
        return row?.Number;
    }

    /// <summary>The row a 404 on the source task takes (task ID), or null for a direct model.</summary>
    public int? TaskIdNumber => Rows.FirstOrDefault(r => r.Field == RequestField.TaskId)?.Number;

    /// <summary>The row a 409 on the source takes: not completed, or no such image ("Invalid image number").</summary>
    public int? InvalidImageNumber => Rows.FirstOrDefault(r => r.Field == RequestField.ImageNumber && r.Problem is null)?.Number;

    /// <summary>
    /// The rule of API.md section 9 for the tables no vendor publishes: in the order of the fields, the task ID's
    /// one row, the image number's missing and invalid rows, then each further required field's missing and invalid
    /// rows (an optional field has only the invalid one; an image URL has three, as in the upload-paint seed), the
    /// callback last. Speed and output format are Easel's additions and have no rows (the gateway's 400 code).
    /// </summary>
    public static ClassicCodeTable FromFields(int prefix, IEnumerable<ModelField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var rows = new List<ClassicCode>();
        void Add(RequestField field, FieldProblem? problem, string description) =>
            rows.Add(new ClassicCode(rows.Count + 1, field, problem, description));
        foreach (var field in fields)
        {
            var label = Label(field);
            switch (field.Field)
            {
                case RequestField.Speed or RequestField.OutputFormat:
                    break;
                case RequestField.TaskId:
                    Add(field.Field, null, "Task ID missing");
                    break;
                case RequestField.Callback:
                    Add(field.Field, null, "Invalid callback URL");
                    break;
                case RequestField.ImageUrl:
                    Add(field.Field, FieldProblem.Missing, "Image URL missing");
                    Add(field.Field, FieldProblem.InvalidLength, "Invalid image URL length");
                    Add(field.Field, null, "Invalid image URL format");
                    break;
                case RequestField.Prompt:
                    if (field.Required)
                    {
                        Add(field.Field, FieldProblem.Missing, $"{Capital(label)} missing");
                    }
                    Add(field.Field, null, $"Invalid {label} length");
                    break;
                default:
                    // The image number is required in the classic dialect whatever the model.
                    if (field.Required || field.Field == RequestField.ImageNumber)
                    {
                        Add(field.Field, FieldProblem.Missing, $"{Capital(label)} missing");
                    }
                    Add(field.Field, null, $"Invalid {label}");
                    break;
            }
        }
        return new ClassicCodeTable(prefix, rows);
    }

    private static string Label(ModelField field) => field.Field switch
    {
        RequestField.Prompt => field.ClassicName == "text" ? "text" : "remix prompt",
        RequestField.ImageNumber => "image number",
        RequestField.Mode => "adjustment mode",
        RequestField.Canvas => "canvas parameters",
        RequestField.Position => "image position parameters",
        RequestField.Mask => "mask parameters",
        RequestField.Type => "type",
        RequestField.Scale => "scale",
        RequestField.Direction => "direction",
        _ => field.ClassicName,
    };

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
