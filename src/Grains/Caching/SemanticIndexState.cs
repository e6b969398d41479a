namespace Switchyard.Grains.Caching;

/// <summary>
/// What <see cref="SemanticIndexGrain"/> stores of a partition: its vectors oldest first, compact (the floats as bytes,
/// not one serialized number each), with their entries' hashes and expiries.
/// </summary>
[GenerateSerializer, Alias("Switchyard.SemanticIndexState")]
internal sealed class SemanticIndexState
{
    /// <summary>The length of every vector.</summary>
    [Id(0)]
    public int Dimensions { get; set; }

    /// <summary>The entries' hashes, oldest first.</summary>
    [Id(1)]
    public string[] Hashes { get; set; } = [];

    /// <summary>Each entry's expiry, in UTC ticks.</summary>
    [Id(2)]
    public long[] ExpiresAt { get; set; } = [];

    /// <summary><c>Hashes.Length × Dimensions</c> floats, row after row, little-endian.</summary>
    [Id(3)]
    public byte[] Vectors { get; set; } = [];
}
