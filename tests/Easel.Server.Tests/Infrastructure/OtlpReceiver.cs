using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Server.Tests.Infrastructure;

/// <summary>
/// A real OTLP/HTTP receiver on 127.0.0.1, as a collector listens on 4318: it takes protobuf POSTs to /v1/traces and
/// /v1/metrics, answers 200, and decodes the spans of the trace requests (<see cref="OtlpSpans"/>).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public ConcurrentQueue<Post> Posts { get; } = new();

    public sealed record Post(string Path, string? ContentType, byte[] Body);

    /// <summary>On a free port, or on the one given (then on localhost's IPv4 and IPv6 addresses both, as a collector would).</summary>
    public static async Task<OtlpReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
            if (port != 0)
            {
                k.Listen(IPAddress.IPv6Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            receiver.Posts.Enqueue(new Post(http.Request.Path.Value ?? "", http.Request.ContentType, body.ToArray()));
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    /// <summary>Every span received so far.</summary>
    public List<OtlpSpan> Spans() =>
        [.. Posts.Where(p => p.Path == "/v1/traces").SelectMany(p => OtlpSpans.Parse(p.Body))];

    /// <summary>Waits until the spans of one trace satisfy <paramref name="done"/>, and returns them.</summary>
    public async Task<List<OtlpSpan>> WaitForTraceAsync(string traceId, Func<List<OtlpSpan>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var spans = Spans().Where(s => s.TraceId == traceId).ToList();
            if (done(spans))
            {
                return spans;
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"timed out waiting for trace {traceId}; it has: {string.Join(", ", spans.Select(s => s.Name))}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record OtlpSpan(
    string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, ulong StartNanos, ulong EndNanos,
    IReadOnlyDictionary<string, string> Attributes, int StatusCode, string ServiceName)
{
    public const int Internal = 1, Server = 2, Client = 3;
    public const int StatusError = 2;
}

/// <summary>
/// Reads an ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) from the protobuf wire format, written
/// from the .proto field numbers: resource_spans = 1 { resource = 1 { attributes = 1 }, scope_spans = 2 { spans = 2 } };
/// Span { trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6, start = 7, end = 8, attributes = 9, status = 15 { code = 3 } };
/// KeyValue { key = 1, value = 2 AnyValue { string = 1, bool = 2, int = 3, double = 4 } }. Unknown fields are skipped.
/// </summary>
public static class OtlpSpans
{
    public static List<OtlpSpan> Parse(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }
            var service = "";
            foreach (var (f, value) in Fields(resourceSpans.Bytes))
            {
                if (f == 1)
                {
                    service = Attributes(value.Bytes, 1).GetValueOrDefault("service.name", "");
                }
            }
            foreach (var (f, scopeSpans) in Fields(resourceSpans.Bytes))
            {
                if (f != 2)
                {
                    continue;
                }
                foreach (var (g, span) in Fields(scopeSpans.Bytes))
                {
                    if (g == 2)
                    {
                        spans.Add(Span(span.Bytes, service));
                    }
                }
            }
        }
        return spans;
    }

    private static OtlpSpan Span(byte[] span, string service)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        ulong start = 0, end = 0;
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Bytes); break;
                case 2: spanId = Convert.ToHexStringLower(value.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(value.Bytes); break;
                case 5: name = System.Text.Encoding.UTF8.GetString(value.Bytes); break;
                case 6: kind = (int)value.Number; break;
                case 7: start = value.Number; break;
                case 8: end = value.Number; break;
                case 15:
                    foreach (var (f, v) in Fields(value.Bytes))
                    {
                        if (f == 3)
                        {
                            status = (int)v.Number;
                        }
                    }
                    break;
            }
        }
        return new OtlpSpan(traceId, spanId, parent, name, kind, start, end, Attributes(span, 9), status, service);
    }

    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (f, keyValue) in Fields(message))
        {
            if (f != field)
            {
                continue;
            }
            string key = "", text = "";
            foreach (var (g, part) in Fields(keyValue.Bytes))
            {
                if (g == 1)
                {
                    key = System.Text.Encoding.UTF8.GetString(part.Bytes);
                }
                else if (g == 2)
                {
                    foreach (var (h, any) in Fields(part.Bytes))
                    {
                        text = h switch
                        {
                            1 => System.Text.Encoding.UTF8.GetString(any.Bytes),
                            2 => any.Number != 0 ? "true" : "false",
                            3 => ((long)any.Number).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            4 => BitConverter.UInt64BitsToDouble(any.Number).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            _ => text,
                        };
                    }
                }
            }
            attributes[key] = text;
        }
        return attributes;
    }

    private readonly record struct Value(ulong Number, byte[] Bytes);

    // The fields of one message: varints (0), 64-bit (1), length-delimited (2) and 32-bit (5); groups do not occur.
    private static IEnumerable<(int Field, Value Value)> Fields(byte[] message)
    {
        var i = 0;
        while (i < message.Length)
        {
            var tag = Varint(message, ref i);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return (field, new Value(Varint(message, ref i), []));
                    break;
                case 1:
                    yield return (field, new Value(BitConverter.ToUInt64(message, i), []));
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    yield return (field, new Value(0, message[i..(i + length)]));
                    i += length;
                    break;
                case 5:
                    yield return (field, new Value(BitConverter.ToUInt32(message, i), []));
                    i += 4;
                    break;
                default:
                    throw new FormatException($"wire type {tag & 7} at byte {i}");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
