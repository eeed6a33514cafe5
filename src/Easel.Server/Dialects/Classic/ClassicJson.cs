using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Easel.Server.Dialects.Classic;

internal static class ClassicJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Progress as the seeds print it: always with a decimal point (0.0, 0.45, 1.0), never a bare 1.</summary>
internal sealed class FractionConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var text = value.ToString("0.0##", CultureInfo.InvariantCulture);
        writer.WriteRawValue(text, skipInputValidation: true);
    }
}
