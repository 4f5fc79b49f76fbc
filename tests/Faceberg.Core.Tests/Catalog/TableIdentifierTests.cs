namespace Faceberg.Core.Tests.Catalog;

public sealed class TableIdentifierTests
{
    [Fact]
    public void Parses_namespace_and_name()
    {
        var id = TableIdentifier.Parse("default.iris_default");
        Assert.Equal(("default", "iris_default"), (id.Namespace, id.Name));
        Assert.Equal("default.iris_default", id.ToString());
        Assert.Equal(new TableIdentifier("default", "iris_default"), id);
        Assert.Equal(new TableIdentifier("ns", "t"), TableIdentifier.Parse("t", "ns"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("noNamespace")]
    [InlineData("a.b.c")]
    [InlineData(".t")]
    [InlineData("ns.")]
    [InlineData("ns/x.t")]
    [InlineData("ns.t\\x")]
    [InlineData("...t")]
    [InlineData("ns.a b")]
    [InlineData("ns.1abc")]
    public void Rejects_unsafe_identifiers(string text)
    {
        var error = Assert.Throws<FacebergException>(() => TableIdentifier.Parse(text));
        Assert.Equal(("InvalidTableIdentifier", FacebergErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.False(TableIdentifier.TryParse(text, out _));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Constructor_validates_parts(string part)
    {
        Assert.Throws<FacebergException>(() => new TableIdentifier("default", part));
        Assert.Throws<FacebergException>(() => new TableIdentifier(part, "t"));
    }
}
