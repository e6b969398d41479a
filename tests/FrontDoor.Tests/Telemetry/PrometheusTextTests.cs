namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>The tests' own Prometheus text parser, on text written by hand: what the scrape tests rely on it reading.</summary>
public sealed class PrometheusTextTests
{
    private const string Scrape = """
        # HELP http_requests_total Requests, with a \\ and a\nnew line.
        # TYPE http_requests_total counter
        http_requests_total{method="post",path="/a \"quoted\" \\ path\nnext"} 1027 1395066363000
        http_requests_total{method="get"} 3
        # TYPE latency_seconds histogram
        latency_seconds_bucket{le="0.1"} 2
        latency_seconds_bucket{le="+Inf"} 5
        latency_seconds_sum 1.5e-1
        latency_seconds_count 5
        up 1
        # EOF
        """;

    [Fact]
    public void Parse_LabelsWithEscapes_ReadAsWritten()
    {
        var text = PrometheusText.Parse(Scrape);

        var post = Assert.Single(text.Find("http_requests_total", ("method", "post")));
        Assert.Equal("/a \"quoted\" \\ path\nnext", post.Labels["path"]);
        Assert.Equal(1027, post.Value);
        Assert.Equal(1030, text.Sum("http_requests_total"));
        Assert.Equal("Requests, with a \\ and a\nnew line.", text.Helps["http_requests_total"]);
    }

    [Fact]
    public void Parse_Histogram_SeriesBelongToTheirFamily()
    {
        var text = PrometheusText.Parse(Scrape);

        Assert.Equal("histogram", text.TypeOf("latency_seconds_bucket"));
        Assert.Equal("histogram", text.TypeOf("latency_seconds_count"));
        Assert.Equal("counter", text.TypeOf("http_requests_total"));
        Assert.Null(text.TypeOf("up"));
        Assert.Equal(5, text.Sum("latency_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(0.15, text.Sum("latency_seconds_sum"));
        Assert.Equal(0, text.Sum("missing_total"));
    }

    [Theory]
    [InlineData("bad-name 1")]
    [InlineData("m{label=unquoted} 1")]
    [InlineData("m{label=\"bad \\q escape\"} 1")]
    [InlineData("m not-a-number")]
    public void Parse_MalformedLine_Throws(string line) => Assert.Throws<FormatException>(() => PrometheusText.Parse(line));
}
