using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Server.Http;

namespace Easel.Server.Dialects;

/// <summary>The per-dialect differences of the shared parsing rules (see <see cref="ParseProfile"/>).</summary>
internal static class ParseProfiles
{
    public static ParseProfile Unified(PublicUrls urls, AddressPolicy policy, HttpRequest request) => new(
        OperationLimits.UnifiedImageUrlMaxLength,
        CallbackHttpsOnly: true,
        NumericChoices: false,
        ImageNumberRequired: false,
        url => urls.Resolve(url, request),
        policy.IsLiteralHostAllowed);

    public static ParseProfile Classic(PublicUrls urls, AddressPolicy policy, HttpRequest request) => new(
        OperationLimits.ClassicImageUrlMaxLength,
        CallbackHttpsOnly: false,
        NumericChoices: true,
        ImageNumberRequired: true,
        url => urls.Resolve(url, request),
        policy.IsLiteralHostAllowed);
}
