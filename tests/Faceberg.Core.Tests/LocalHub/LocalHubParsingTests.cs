using System.Net;
using System.Text.Json.Nodes;
using Faceberg.LocalHub;

namespace Faceberg.Core.Tests.LocalHub;

public sealed class LocalHubParsingTests
{
    [Theory]
    [InlineData("# no front matter\n")]
    [InlineData("---\nlicense: [unclosed\n---\n")]
    [InlineData("---\nlicense: mit\n")]
    public void ReadmesWithoutUsableFrontMatterHaveNoCardData(string readme) => Assert.Null(CardData.FromReadme(readme));

    [Fact]
    public void FrontMatterScalarsGetYamlCoreTypes()
    {
        var card = CardData.FromReadme("\uFEFF---\r\nint: 3\nfloat: 1.5\nyes: true\nnothing: ~\nversion: \"1.0\"\nword: hello\nlist:\n- a\n- 2\n---\nbody")!.AsObject();
        Assert.Equal(3, card["int"]!.GetValue<long>());
        Assert.Equal(1.5, card["float"]!.GetValue<double>());
        Assert.True(card["yes"]!.GetValue<bool>());
        Assert.Null(card["nothing"]);
        Assert.Equal("1.0", card["version"]!.GetValue<string>());
        Assert.Equal("hello", card["word"]!.GetValue<string>());
        Assert.Equal("[\"a\",2]", card["list"]!.ToJsonString());
    }

    [Theory]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=abc")]
    [InlineData("items=0-5")]
    [InlineData("bytes=9-3")]
    public async Task MalformedOrMultipleRangesServeTheWholeFile(string range)
    {
        using var hub = new LocalHubHarness();
        hub.Server.Store.CreateRepo("org/r");
        hub.Server.Store.Commit("org/r", new Dictionary<string, byte[]> { ["a.txt"] = "0123456789"u8.ToArray() }, null, "a");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/datasets/org/r/resolve/main/a.txt");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await hub.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0123456789", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownRoutesAnswer404WithoutErrorCode()
    {
        using var hub = new LocalHubHarness();
        using var response = await hub.Http.GetAsync("/api/models/org/r");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Error-Code"));
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }
}
