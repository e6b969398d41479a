using Switchyard.State;

namespace Switchyard.Grains.Tests.Caching;

[Collection(CacheCollection.Name)]
public sealed class CacheEntryGrainTests(CacheCluster cluster)
{
    [Fact]
    public async Task PutAsync_ThenGetAsync_ReturnsTheAnswer()
    {
        var workspace = CacheCluster.NewWorkspace();
        var answer = cluster.Answer(workspace, "a1", @namespace: "docs", partition: "p1") with { Shape = CachedAnswerShape.Stream };

        var stored = await cluster.Entry(workspace, "a1").PutAsync(answer);
        var read = await cluster.Entry(workspace, "a1").GetAsync();

        Assert.True(stored);
        Assert.NotNull(read);
        Assert.Equal(answer with { Body = read.Body }, read);
        Assert.Equal(answer.Body, read.Body);
        Assert.True(cluster.IsStored(workspace, "a1"));
    }

    [Fact]
    public async Task GetAsync_AfterDeactivation_TheStoredAnswerReadBack()
    {
        var workspace = CacheCluster.NewWorkspace();
        var answer = cluster.Answer(workspace, "p1", @namespace: "docs", partition: "p1");
        await cluster.Entry(workspace, "p1").PutAsync(answer);

        await cluster.Cluster.DeactivateAsync(cluster.Entry(workspace, "p1"));
        var read = await cluster.Entry(workspace, "p1").GetAsync();

        Assert.NotNull(read);
        Assert.Equal(answer with { Body = read.Body }, read);
        Assert.Equal(answer.Body, read.Body);
    }

    [Fact]
    public async Task GetAsync_NeverStored_Null()
    {
        Assert.Null(await cluster.Entry(CacheCluster.NewWorkspace(), "nothing").GetAsync());
    }

    [Fact]
    public async Task GetAsync_AtItsExpiry_NullAndItsRowDeleted()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.Entry(workspace, "e1").PutAsync(cluster.Answer(workspace, "e1", lifetime: TimeSpan.FromSeconds(30)));
        cluster.Time.Advance(TimeSpan.FromSeconds(29));
        var before = await cluster.Entry(workspace, "e1").GetAsync();

        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        var after = await cluster.Entry(workspace, "e1").GetAsync();

        Assert.NotNull(before);
        Assert.Null(after);
        Assert.False(cluster.IsStored(workspace, "e1"));
    }

    [Fact]
    public async Task PutAsync_SameHashInTwoWorkspaces_EachReadsOnlyItsOwn()
    {
        var first = CacheCluster.NewWorkspace();
        var second = CacheCluster.NewWorkspace();
        await cluster.Entry(first, "same").PutAsync(cluster.Answer(first, "same", text: "first's answer"));

        var secondsBefore = await cluster.Entry(second, "same").GetAsync();
        await cluster.Entry(second, "same").PutAsync(cluster.Answer(second, "same", text: "second's answer"));
        var firsts = await cluster.Entry(first, "same").GetAsync();
        var seconds = await cluster.Entry(second, "same").GetAsync();

        Assert.Null(secondsBefore);
        Assert.Equal((first, "first's answer"), (firsts!.WorkspaceId, Text(firsts)));
        Assert.Equal((second, "second's answer"), (seconds!.WorkspaceId, Text(seconds)));
    }

    [Fact]
    public async Task PutAsync_AnotherWorkspacesAnswer_RefusedWithArgumentException()
    {
        var workspace = CacheCluster.NewWorkspace();
        var other = cluster.Answer(CacheCluster.NewWorkspace(), "x1");

        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Entry(workspace, "x1").PutAsync(other));
        Assert.False(cluster.IsStored(workspace, "x1"));
    }

    [Fact]
    public async Task PutAsync_OverTheEntryLimit_FalseAndNothingStored()
    {
        var workspace = CacheCluster.NewWorkspace();
        var big = cluster.Answer(workspace, "big") with { Body = new byte[CacheCluster.MaxEntryBytes - 256 + 1] };
        var fits = cluster.Answer(workspace, "fits") with { Body = new byte[CacheCluster.MaxEntryBytes - 256] };

        Assert.False(await cluster.Entry(workspace, "big").PutAsync(big));
        Assert.True(await cluster.Entry(workspace, "fits").PutAsync(fits));
        Assert.False(cluster.IsStored(workspace, "big"));
        Assert.Null(await cluster.Entry(workspace, "big").GetAsync());
    }

    [Fact]
    public async Task PutAsync_Twice_TheSecondReplacesTheFirst()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.Entry(workspace, "r1").PutAsync(cluster.Answer(workspace, "r1", text: "old"));

        await cluster.Entry(workspace, "r1").PutAsync(cluster.Answer(workspace, "r1", text: "new"));

        Assert.Equal("new", Text((await cluster.Entry(workspace, "r1").GetAsync())!));
    }

    [Fact]
    public async Task RemoveAsync_LiveEntry_RowDeleted()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.Entry(workspace, "d1").PutAsync(cluster.Answer(workspace, "d1"));

        await cluster.Entry(workspace, "d1").RemoveAsync();

        Assert.False(cluster.IsStored(workspace, "d1"));
        Assert.Null(await cluster.Entry(workspace, "d1").GetAsync());
    }

    [Fact]
    public async Task ExpireAsync_LiveEntry_FalseAndKept()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.Entry(workspace, "l1").PutAsync(cluster.Answer(workspace, "l1"));

        Assert.False(await cluster.Entry(workspace, "l1").ExpireAsync());
        Assert.True(cluster.IsStored(workspace, "l1"));
    }

    internal static string Text(CachedAnswer answer) => System.Text.Encoding.UTF8.GetString(answer.Body).TrimEnd('\0');
}
