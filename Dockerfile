# Easel as a container: built with the SDK, run on the ASP.NET Core runtime image as a non-root user.
#   docker build -t easel .
#   docker run -p 8080:8080 -v easel-data:/data -e Easel__BootstrapKey=... easel
# See docs/OPERATIONS.md for the settings, the volume, health checks and stopping.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The repository-wide build rules, then the project files alone: the restore layer is reused until a project
# file or a package version changes. .editorconfig belongs to the build (warnings are errors; it turns some off).
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Easel.Imaging/Easel.Imaging.csproj src/Easel.Imaging/
COPY src/Easel.Core/Easel.Core.csproj src/Easel.Core/
COPY src/Easel.Engines/Easel.Engines.csproj src/Easel.Engines/
COPY src/Easel.Storage/Easel.Storage.csproj src/Easel.Storage/
COPY src/Easel.Server/Easel.Server.csproj src/Easel.Server/
RUN dotnet restore src/Easel.Server/Easel.Server.csproj
COPY src/Easel.Imaging/ src/Easel.Imaging/
COPY src/Easel.Core/ src/Easel.Core/
COPY src/Easel.Engines/ src/Easel.Engines/
COPY src/Easel.Storage/ src/Easel.Storage/
COPY src/Easel.Server/ src/Easel.Server/
RUN dotnet publish src/Easel.Server/Easel.Server.csproj -c Release --no-restore -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The data directory (SQLite database, files, node identity) belongs to the image's non-root user "app"
# ($APP_UID, 1654); a new named volume mounted here takes that ownership.
RUN mkdir -p /data && chown "$APP_UID" /data
ENV Easel__DataDirectory=/data \
    ASPNETCORE_HTTP_PORTS=8080
USER $APP_UID
VOLUME /data
EXPOSE 8080
# The runtime image has no curl or wget: Easel probes itself (GET /healthz on the first ASPNETCORE_HTTP_PORTS port).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["dotnet", "/app/Easel.Server.dll", "--healthcheck"]
# SIGTERM starts the graceful stop (Easel:Tasks:ShutdownGracePeriod, 30 s by default): give the container at least
# that plus 15 s before it is killed (docker stop -t 45, compose stop_grace_period, Kubernetes
# terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/Easel.Server.dll"]
