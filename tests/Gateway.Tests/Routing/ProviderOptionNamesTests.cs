using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class ProviderOptionNamesTests
{
    [Theory]
    [InlineData("x-portkey-azure-resource-name", "azure_resource_name")]
    [InlineData("X-Portkey-AWS-Region", "aws_region")]
    [InlineData("x-portkey-openai-organization", "openai_organization")]
    [InlineData("x-portkey-amzn-sagemaker-target-model", "amzn_sagemaker_target_model")]
    [InlineData("x-portkey-snowflake-account", "snowflake_account")]
    [InlineData("anthropic-beta", "anthropic_beta")]
    [InlineData("Anthropic-Version", "anthropic_version")]
    public void FromHeader_AnOptionHeader_IsItsSnakeCaseName(string header, string option)
    {
        Assert.Equal(option, ProviderOptionNames.FromHeader(header));
    }

    [Theory]
    [InlineData("x-portkey-provider")]
    [InlineData("x-portkey-api-key")]
    [InlineData("x-portkey-config")]
    [InlineData("x-portkey-azure-")]
    [InlineData("x-portkey-snowflake-account-id")]
    [InlineData("x-portkey-")]
    [InlineData("azure-resource-name")]
    [InlineData("content-type")]
    public void FromHeader_NotAnOption_IsNull(string header)
    {
        Assert.Null(ProviderOptionNames.FromHeader(header));
    }

    [Theory]
    [InlineData("azure_resource_name", true)]
    [InlineData("openai_project", true)]
    [InlineData("cohere_x", true)]
    [InlineData("workers_ai_account_id", true)]
    [InlineData("azure_", false)]
    [InlineData("Azure_resource_name", false)]
    [InlineData("model", false)]
    public void Contains_ConfigNames_AreTheSameListAsTheHeaders(string name, bool option)
    {
        Assert.Equal(option, ProviderOptionNames.Contains(name));
    }
}
