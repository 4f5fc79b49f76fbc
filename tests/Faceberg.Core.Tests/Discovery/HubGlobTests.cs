using Faceberg.Core.Discovery;

namespace Faceberg.Core.Tests.Discovery;

public class HubGlobTests
{
    // datasets' tests/test_data_files.py complex_data_dir fixture, as a repository listing.
    private static readonly string[] ComplexDataDir =
    [
        "data/train.txt", "data/test.txt", "README.md", ".dummy",
        "data/subdir/train.txt", "data/subdir/test.txt",
        "data/.dummy_subdir/train.txt", "data/.dummy_subdir/test.txt",
        "__pycache__/script.py",
    ];

    // datasets' _TEST_PATTERNS_SIZES: what resolve_pattern returns for each pattern on that fixture.
    [Theory]
    [InlineData("*", new string[0])]
    [InlineData("**", new[] { "data/subdir/test.txt", "data/subdir/train.txt", "data/test.txt", "data/train.txt" })]
    [InlineData("**/*", new[] { "data/subdir/test.txt", "data/subdir/train.txt", "data/test.txt", "data/train.txt" })]
    [InlineData("*.txt", new string[0])]
    [InlineData("data/*", new[] { "data/test.txt", "data/train.txt" })]
    [InlineData("data/**", new[] { "data/subdir/test.txt", "data/subdir/train.txt", "data/test.txt", "data/train.txt" })]
    [InlineData("**/*.txt", new[] { "data/subdir/test.txt", "data/subdir/train.txt", "data/test.txt", "data/train.txt" })]
    [InlineData("**/train.txt", new[] { "data/subdir/train.txt", "data/train.txt" })]
    public void Resolves_the_datasets_fixture_like_resolve_pattern(string pattern, string[] expected)
    {
        Assert.Equal(expected, HubGlob.Compile(pattern).Filter(ComplexDataDir));
    }

    [Fact]
    public void Hidden_file_only_if_requested()
    {
        Assert.DoesNotContain(".dummy", HubGlob.Compile("*").Filter(ComplexDataDir));
        Assert.Equal([".dummy"], HubGlob.Compile(".dummy").Filter(ComplexDataDir));
        Assert.Equal([".dummy"], HubGlob.Compile(".*").Filter(ComplexDataDir));
    }

    [Fact]
    public void Hidden_dir_only_if_requested()
    {
        Assert.Equal(["data/.dummy_subdir/test.txt", "data/.dummy_subdir/train.txt"],
            HubGlob.Compile("data/.dummy_subdir/*").Filter(ComplexDataDir));
        Assert.Equal(["data/.dummy_subdir/test.txt", "data/.dummy_subdir/train.txt"],
            HubGlob.Compile("data/.*/*").Filter(ComplexDataDir));
    }

    [Fact]
    public void Special_dir_only_if_requested()
    {
        Assert.Equal(["__pycache__/script.py"], HubGlob.Compile("__pycache__/*").Filter(ComplexDataDir));
        Assert.Equal(["__pycache__/script.py"], HubGlob.Compile("__*/*").Filter(ComplexDataDir));
        Assert.Empty(HubGlob.Compile("*/script.py").Filter(ComplexDataDir));
    }

    // datasets' test_is_unrequested_hidden_file_or_is_inside_unrequested_hidden_dir and
    // test_is_inside_unrequested_special_dir, expressed as "does the pattern resolve to the path".
    [Theory]
    [InlineData(".hidden_file.txt", "**", false)]
    [InlineData(".hidden_file.txt", ".*", true)]
    [InlineData(".hidden_dir/a.txt", "**", false)]
    [InlineData(".hidden_dir/a.txt", ".*/*", true)]
    [InlineData(".hidden_dir/a.txt", ".hidden_dir/*", true)]
    [InlineData(".hidden_dir/.hidden_file.txt", "**", false)]
    [InlineData(".hidden_dir/.hidden_file.txt", ".*/*", false)]
    [InlineData(".hidden_dir/.hidden_file.txt", ".*/.*", true)]
    [InlineData(".hidden_dir/.hidden_file.txt", ".hidden_dir/*", false)]
    [InlineData(".hidden_dir/.hidden_file.txt", ".hidden_dir/.*", true)]
    [InlineData("__pycache__/b.txt", "**", false)]
    [InlineData("__pycache__/b.txt", "*/b.txt", false)]
    [InlineData("__pycache__/b.txt", "__pycache__/*", true)]
    [InlineData("__pycache__/__b.txt", "__pycache__/*", true)]
    [InlineData("__pycache__/__b.txt", "__*/*", true)]
    [InlineData("__b.txt", "*", true)]
    public void Hidden_and_special_rules(string path, string pattern, bool matches)
    {
        Assert.Equal(matches, HubGlob.Compile(pattern).Matches(path));
    }

    [Theory]
    [InlineData("**/train/**", "train/a.parquet", true)]
    [InlineData("**/train/**", "x/y/train/z/a.parquet", true)]
    [InlineData("**/train/**", "training/a.parquet", false)]
    [InlineData("*", "a/b.parquet", false)]
    [InlineData("*/*.parquet", "a/b.parquet", true)]
    [InlineData("data/*.parquet", "data/sub/b.parquet", false)]
    [InlineData("data/file?.parquet", "data/file1.parquet", true)]
    [InlineData("data/file?.parquet", "data/file12.parquet", false)]
    [InlineData("**/train[-._ 0-9]*", "train-00000-of-00001.parquet", true)]
    [InlineData("**/train[-._ 0-9]*", "trainer.parquet", false)]
    [InlineData("**/*[-._ 0-9]test[-._ 0-9]*", "my test file.txt", true)]
    [InlineData("data/[!t]*.csv", "data/train.csv", false)]
    [InlineData("data/[!t]*.csv", "data/valid.csv", true)]
    [InlineData("data/[a.csv", "data/[a.csv", true)]
    [InlineData("data/[z-a]x.csv", "data/zx.csv", false)]
    [InlineData("data/[xz-a]y.csv", "data/xy.csv", true)]
    [InlineData("data/[xz-a]y.csv", "data/zy.csv", false)]
    [InlineData("data/[a-c-]x.csv", "data/-x.csv", true)]
    [InlineData("data/[a-c-]x.csv", "data/bx.csv", true)]
    [InlineData("data/[]]x.csv", "data/]x.csv", true)]
    [InlineData("data/[^a]x.csv", "data/^x.csv", true)]
    [InlineData("data/a+b(1).csv", "data/a+b(1).csv", true)]
    [InlineData("Data/*.csv", "data/a.csv", false)]
    public void Glob_syntax(string pattern, string path, bool matches)
    {
        Assert.Equal(matches, HubGlob.Compile(pattern).Matches(path));
    }

    [Fact]
    public void Card_files_are_not_data_unless_named()
    {
        Assert.False(HubGlob.Compile("**").Matches("README.md"));
        Assert.False(HubGlob.Compile("*/*").Matches("sub/dataset_infos.json"));
        Assert.True(HubGlob.Compile("README.md").Matches("README.md"));
    }

    [Fact]
    public void Double_star_inside_a_segment_is_rejected()
    {
        var e = Assert.Throws<DiscoveryException>(() => HubGlob.Compile("data/**.parquet"));
        Assert.Equal(FacebergErrorKind.InvalidData, e.Kind);
        Assert.Contains("data/**.parquet", e.Message);
    }

    [Theory]
    [InlineData(null, "*.parquet", "*.parquet")]
    [InlineData("", "*.parquet", "*.parquet")]
    [InlineData("cfg", "*.parquet", "cfg/*.parquet")]
    [InlineData("cfg/", "train/*", "cfg/train/*")]
    public void Join_prefixes_the_data_dir(string? dir, string pattern, string expected)
    {
        Assert.Equal(expected, HubGlob.Join(dir, pattern));
    }

    // Globs are matched by tokens, not by the regex fsspec's glob_translate builds: every pattern the split inference and
    // cards use, plus the corner cases of the translation, must decide every path as that regex does.
    public static TheoryData<string> EquivalencePatterns()
    {
        var patterns = new TheoryData<string>
        {
            "*", "**", "**/*", "*.txt", "data/*", "data/**", "**/*.txt", "**/train.txt", "a/**/b", "**/**", "a/*/b/*",
            "data/*-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*", "?a*", "[!a]*", "[]]x", "[!]]x", "[z-a]x", "[a-]x",
            "[!", "x[", "[]", "[!]", "a[!/]b", "*.[cC][sS][vV]", "data/train-*", "**/*[-._ 0-9]test[-._ 0-9]*", "**/test/**",
            "**/*[-._ 0-9]validation[-._ 0-9]*/**", ".*", "__*/x", "a.b+c(d)$^{e}|f\\g",
            // A run followed by a literal that occurs several times, or by a slash.
            "a*/b", "*-x-*.y", "a*a*a", "*/", "*a", "*/*/*.parquet",
        };
        return patterns;
    }

    private static readonly string[] EquivalencePaths =
    [
        "", "a", "b", "a/b", "a/x/b", "a//b", "a/b/", "/a/b", "data/train-00000-of-00003.parquet", "data/train-00000-of-00003",
        "data/x/train-00000-of-00003.parquet", "data/train.txt", "data/subdir/test.txt", "x.csv", "x.CsV", "]x", "!x", "zx", "ax",
        "-x", "[x", "[!", "x[", "a/b", "a!b", "test/a.txt", "x/test/y/z", "my-test-1.csv", "x/my validation 2/y", ".dummy", "__x/x",
        "a.b+c(d)$^{e}|f\\g", "a\nb", "ba", "aa", "a\nx/test/y", "aX",
        "a-x-b-x-c.y", "a-x-.y", "aaa", "aaaa", "aba/b", "ab/b", "a/", "c/s/0.parquet", "c/s/t/0.parquet",
    ];

    [Theory]
    [MemberData(nameof(EquivalencePatterns))]
    public void Matches_every_path_as_fsspecs_translated_regex_does(string pattern)
    {
        var regex = FsspecGlobRegex.For(pattern);
        var glob = HubGlob.Compile(pattern);
        foreach (var path in EquivalencePaths)
            Assert.True(regex.IsMatch(path) == glob.IsMatch(path), $"'{pattern}' on '{path}': regex {regex.IsMatch(path)}, glob {glob.IsMatch(path)}");
    }
}
