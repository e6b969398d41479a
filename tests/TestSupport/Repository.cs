namespace Switchyard.Testing;

/// <summary>The checkout the tests run from: the folder above the test assembly that holds Switchyard.slnx.</summary>
public static class Repository
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchyard.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Switchyard.slnx not found above " + AppContext.BaseDirectory);
    }
}
