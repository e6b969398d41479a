using Switchyard.FrontDoor.State;

namespace Switchyard.FrontDoor.Bootstrap;

/// <summary>The declarative bootstrap file (docs/bootstrap.md), applied at start-up.</summary>
public static class BootstrapHostExtensions
{
    /// <summary>The environment variable naming the file.</summary>
    public const string FileSetting = "SWITCHYARD_BOOTSTRAP_FILE";

    /// <summary>The same, as a setting (appsettings.json, <c>Switchyard__Bootstrap__File</c>).</summary>
    public const string FileConfigurationKey = "Switchyard:Bootstrap:File";

    /// <summary>
    /// Registers the bootstrap step so it runs after the schema migration and before the key directory first loads
    /// (hosted services start in registration order), so keys the file declares authenticate from the first request.
    /// Call after the state store is added.
    /// </summary>
    public static WebApplicationBuilder AddSwitchyardBootstrap(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BootstrapApplier>();
        var descriptor = ServiceDescriptor.Singleton<IHostedService, BootstrapApply>();
        var services = builder.Services;
        var directoryLoad = -1;
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationType == typeof(KeyDirectoryRefresh))
            {
                directoryLoad = i;
                break;
            }
        }

        if (directoryLoad < 0)
        {
            throw new InvalidOperationException("AddSwitchyardBootstrap must be called after the state store is added.");
        }

        services.Insert(directoryLoad, descriptor);
        return builder;
    }
}

/// <summary>Applies the bootstrap file, if one is named; a bad file stops the host from starting, naming the path in the file.</summary>
internal sealed class BootstrapApply(BootstrapApplier applier, IConfiguration configuration, IHostEnvironment environment) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var file = configuration[BootstrapHostExtensions.FileSetting] is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : configuration[BootstrapHostExtensions.FileConfigurationKey];
        if (string.IsNullOrWhiteSpace(file))
        {
            return;
        }

        var path = Path.Combine(environment.ContentRootPath, file);
        try
        {
            await applier.ApplyAsync(path, cancellationToken);
        }
        catch (BootstrapException ex)
        {
            throw new BootstrapException($"Bootstrap file {path}: {ex.Message}", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
