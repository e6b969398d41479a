# Switchyard image: `docker build -t switchyard:0.2.0 .` (see docs/deployment.md). One image, two apps:
# - the front door (src/FrontDoor, in /app), the entrypoint: `docker run IMAGE` serves the gateway on 0.0.0.0:8080,
#   `docker run IMAGE migrate` migrates the PostgreSQL schema and exits (the Helm hook Job);
# - the Orleans silo (src/Silo, in /app/silo): run from its folder, so its own appsettings.json is the one loaded:
#   `docker run -w /app/silo --entrypoint dotnet IMAGE Switchyard.Silo.dll` (the chart's silo Deployment does the same).
#   It serves /health and /ready on 0.0.0.0:8080 and Orleans on 11111 (silo) and 30000 (gateway).
# Both run as the non-root "app" user (UID 1654) of the .NET images.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose: it pins the SDK of the development machines, the image brings its own 10.0 SDK.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/FrontDoor/FrontDoor.csproj -c Release -o /out -p:UseAppHost=false \
 && dotnet publish src/Silo/Silo.csproj -c Release -o /out/silo -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out/ ./
# The front door's appsettings.json binds 127.0.0.1:8787 for a laptop; in the image listen on every interface at 8080.
# The plain `Urls` variable is needed: it is read after appsettings.json (ASPNETCORE_URLS is read before it, so it
# loses). The silo listens there too (/health, /ready).
ENV Urls=http://0.0.0.0:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1
EXPOSE 8080
# The aspnet images define APP_UID (1654, the "app" user); a numeric UID lets Kubernetes verify runAsNonRoot.
USER $APP_UID
# No HEALTHCHECK: the runtime image has no curl or wget; Kubernetes probes /health and /ready instead.
ENTRYPOINT ["dotnet", "Switchyard.FrontDoor.dll"]
