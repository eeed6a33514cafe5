using Easel.Core.Models;
using System.Text.Json;
using Easel.Core.Operations;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.Http;

namespace Easel.Server.Admin;

/// <summary>Reads the optional fields of administration bodies, each refusal naming its field.</summary>
internal static class AdminInput
{
    public sealed class InvalidField(string param, string message) : Exception(message)
    {
        public string Param { get; } = param;
    }

    public static string? OptionalString(JsonElement body, string name, int maxLength)
    {
        var value = body.Property(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.Value.GetString()) || value.Value.GetString()!.Length > maxLength)
        {
            throw new InvalidField(name, $"{name} must be a string of 1-{maxLength} characters");
        }
        return value.Value.GetString()!.Trim();
    }

    public static int? OptionalInt(JsonElement body, string name, int min, int max)
    {
        var value = body.Property(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt32(out var n) || n < min || n > max)
        {
            throw new InvalidField(name, $"{name} must be an integer from {min} to {max}");
        }
        return n;
    }

    public static decimal? OptionalCredits(JsonElement body, string name, bool allowNegative)
    {
        var value = body.Property(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        // Credits are exact to the micro-credit; more decimals would be silently rounded, so they are refused.
        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetDecimal(out var credits)
            || Math.Abs(credits) > 1_000_000_000m || decimal.Round(credits, 6) != credits || (!allowNegative && credits < 0))
        {
            throw new InvalidField(name, $"{name} must be a number of credits with at most 6 decimals{(allowNegative ? "" : ", not negative")}");
        }
        return credits;
    }

    public static bool? OptionalBool(JsonElement body, string name)
    {
        var value = body.Property(name);
        return value?.ValueKind switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidField(name, $"{name} must be true or false"),
        };
    }

    /// <summary>A model list in either dialect's names; null (or absent) means every model.</summary>
    public static (bool Present, IReadOnlySet<OperationKind>? Models) OptionalModels(JsonElement body)
    {
        var value = body.Property("models");
        if (value is null)
        {
            return (false, null);
        }
        if (value.Value.ValueKind == JsonValueKind.Null)
        {
            return (true, null);
        }
        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidField("models", "models must be an array of model names, or null for all models");
        }
        var kinds = new HashSet<OperationKind>();
        foreach (var item in value.Value.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString()! : "";
            if (!ModelCatalog.TryAny(name, out var entry))
            {
                throw new InvalidField("models", $"unknown model '{name}'; models are {string.Join(", ", ModelCatalog.UnifiedNames.Concat(ModelCatalog.ClassicNames))}");
            }
            kinds.Add(entry.Kind);
        }
        return (true, kinds);
    }
}
