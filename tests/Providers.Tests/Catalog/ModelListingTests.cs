using System.Text;
using System.Text.Json;
using Switchyard.Providers.Catalog;

namespace Switchyard.Providers.Tests.Catalog;

public class ModelListingTests
{
    [Fact]
    public void Render_OneProvider_ExactOpenAiListWithAdditiveFields()
    {
        var body = Encoding.UTF8.GetString(ModelListing.Render("deepseek"));

        Assert.Equal(
            """{"object":"list","data":["""
            + """{"id":"deepseek-chat","object":"model","created":0,"owned_by":"deepseek","provider":"deepseek","context_window":128000,"max_output_tokens":8192,"pricing":{"input_per_million":0.28,"output_per_million":0.42,"cached_input_per_million":0.028}},"""
            + """{"id":"deepseek-reasoner","object":"model","created":0,"owned_by":"deepseek","provider":"deepseek","context_window":128000,"max_output_tokens":65536,"pricing":{"input_per_million":0.28,"output_per_million":0.42,"cached_input_per_million":0.028}}"""
            + "]}",
            body);
    }

    [Fact]
    public void Render_UnknownFields_AreNull()
    {
        var catalog = ModelCatalog.Parse("""
            {"source":"s","as_of":"2025-01-02","models":[
              {"provider":"cohere","id":"embed-x","kind":"embedding","input_per_million":2.50}]}
            """u8.ToArray());

        Assert.Equal(
            """{"object":"list","data":[{"id":"embed-x","object":"model","created":0,"owned_by":"cohere","provider":"cohere","context_window":null,"max_output_tokens":null,"pricing":{"input_per_million":2.50,"output_per_million":null,"cached_input_per_million":null}}]}""",
            Encoding.UTF8.GetString(ModelListing.Render(catalog)));
    }

    [Fact]
    public void Render_AllProviders_ListsEveryModelOnce()
    {
        using var json = JsonDocument.Parse(ModelListing.Render());

        Assert.Equal("list", json.RootElement.GetProperty("object").GetString());
        var data = json.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(ModelCatalog.Default.All.Count, data.Count);
        Assert.All(data, model =>
        {
            Assert.Equal("model", model.GetProperty("object").GetString());
            Assert.Equal(model.GetProperty("provider").GetString(), model.GetProperty("owned_by").GetString());
        });
        Assert.Contains(data, model => model.GetProperty("id").GetString() == "gpt-4o" && model.GetProperty("owned_by").GetString() == "openai");
        Assert.Contains(data, model => model.GetProperty("id").GetString() == "claude-sonnet-4-5");
    }

    [Fact]
    public void Render_UnknownProvider_IsAnEmptyList()
    {
        Assert.Equal("""{"object":"list","data":[]}""", Encoding.UTF8.GetString(ModelListing.Render("ollama")));
    }
}
