namespace Switchyard.Grains;

/// <summary>The grain storage provider every Switchyard grain persists to (PostgreSQL in a cluster, the SQLite file embedded).</summary>
public static class GrainStorage
{
    public const string Name = "switchyard";
}
