using Switchyard.FrontDoor.State;
using Switchyard.Gateway.Security;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Where the host's master key comes from: <c>SWITCHYARD_MASTER_KEY</c> / <c>SWITCHYARD_MASTER_KEY_FILE</c>; failing
/// that, with the embedded store only, <c>master.key</c> beside the database file, generated on first use (mode 0600)
/// so a first try works without setup. A cluster store needs the key configured, because every node must share it.
/// </summary>
internal static class AdminVault
{
    public const string KeyFileName = "master.key";

    public static SecretVault Create(IConfiguration configuration, string contentRoot)
    {
        if (SecretVault.MasterKeyFromEnvironment(name => configuration[name]) is { } configured)
        {
            return new SecretVault(configured);
        }

        if (Switchyard.Cluster.DatabaseUrl.Read(configuration) is not null)
        {
            throw new InvalidOperationException(
                "No master key: with the PostgreSQL store set SWITCHYARD_MASTER_KEY (or SWITCHYARD_MASTER_KEY_FILE) to 32 random bytes in base64, the same on every node (`openssl rand -base64 32`).");
        }

        var options = configuration.GetSection(StateOptions.Section).Get<StateOptions>() ?? new StateOptions();
        var folder = Path.GetDirectoryName(Path.Combine(contentRoot, options.DataPath)) ?? contentRoot;
        var path = Path.Combine(folder, KeyFileName);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            var fresh = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var writer = new StreamWriter(path, file);
                writer.Write(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }

        return new SecretVault(SecretVault.MasterKeyFromEnvironment(name => name == "SWITCHYARD_MASTER_KEY_FILE" ? path : null)!);
    }
}
