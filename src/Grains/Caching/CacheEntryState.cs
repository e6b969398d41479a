using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>What <see cref="CacheEntryGrain"/> stores of an answer; its workspace and hash are the grain's key.</summary>
[GenerateSerializer, Alias("Switchyard.CacheEntryState")]
internal sealed class CacheEntryState
{
    [Id(0)]
    public string Namespace { get; set; } = "";

    [Id(1)]
    public string Operation { get; set; } = "";

    [Id(2)]
    public string Provider { get; set; } = "";

    [Id(3)]
    public string Model { get; set; } = "";

    [Id(4)]
    public CachedAnswerShape Shape { get; set; }

    [Id(5)]
    public byte[] Body { get; set; } = [];

    [Id(6)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(7)]
    public DateTimeOffset ExpiresAt { get; set; }

    [Id(8)]
    public string? SemanticPartition { get; set; }

    public static CacheEntryState Of(CachedAnswer answer) => new()
    {
        Namespace = answer.Namespace,
        Operation = answer.Operation,
        Provider = answer.Provider,
        Model = answer.Model,
        Shape = answer.Shape,
        Body = answer.Body,
        CreatedAt = answer.CreatedAt,
        ExpiresAt = answer.ExpiresAt,
        SemanticPartition = answer.SemanticPartition,
    };

    public CachedAnswer ToAnswer(string workspaceId, string hash) =>
        new(workspaceId, hash, Namespace, Operation, Provider, Model, Shape, Body, CreatedAt, ExpiresAt, SemanticPartition);
}
