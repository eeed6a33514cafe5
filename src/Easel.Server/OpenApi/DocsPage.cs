namespace Easel.Server.OpenApi;

/// <summary>/docs: Swagger UI over both documents; Authorize takes an API key, "Try it out" calls this server.</summary>
internal static class DocsPage
{
    public const string RoutePrefix = "docs";

    public static IApplicationBuilder UseDocsPage(this IApplicationBuilder app) =>
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = RoutePrefix;
            options.DocumentTitle = "Easel API";
            foreach (var dialect in OpenApiSetup.Dialects)
            {
                // Relative to /docs/, so the page also works behind a path base.
                options.SwaggerEndpoint(".." + OpenApiSetup.DocumentUrl(dialect), dialect.Title);
            }
            options.EnablePersistAuthorization();
            options.DisplayRequestDuration();
        });
}
