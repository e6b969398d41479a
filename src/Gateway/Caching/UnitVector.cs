namespace Switchyard.Gateway.Caching;

/// <summary>Scales an embedding to length 1, so the semantic cache's cosine similarity is a dot product.</summary>
public static class UnitVector
{
    /// <summary>Divides <paramref name="vector"/> by its length, in place.</summary>
    /// <exception cref="InvalidOperationException">its length is zero or not finite (the model gave no usable vector).</exception>
    public static float[] Normalize(float[] vector)
    {
        var squares = 0d;
        foreach (var value in vector)
        {
            squares += (double)value * value;
        }

        var length = (float)Math.Sqrt(squares);
        if (!(length > 0) || !float.IsFinite(length))
        {
            throw new InvalidOperationException($"The embedding has length {length}; it cannot be compared.");
        }

        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= length;
        }

        return vector;
    }
}
