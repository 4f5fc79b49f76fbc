using Faceberg.Core.Hub;

namespace Faceberg.Core.Tests.Hub;

/// <summary>Tests that change process environment variables; never run in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Process environment";
}

[Collection(EnvironmentCollection.Name)]
public sealed class HubTokenResolverTests : IDisposable
{
    private static readonly string[] Variables = ["HF_TOKEN", "HF_HOME", "HF_TOKEN_PATH", "HF_ENDPOINT", "XDG_CACHE_HOME"];
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly string _home = Path.Combine(Path.GetTempPath(), "faceberg-hfhome-" + Guid.NewGuid().ToString("N"));

    public HubTokenResolverTests()
    {
        foreach (var variable in Variables) Environment.SetEnvironmentVariable(variable, null);
        Directory.CreateDirectory(_home);
        Environment.SetEnvironmentVariable("HF_HOME", _home);
    }

    public void Dispose()
    {
        foreach (var (variable, value) in _saved) Environment.SetEnvironmentVariable(variable, value);
        Directory.Delete(_home, recursive: true);
    }

    private void WriteTokenFile(string content) => File.WriteAllText(Path.Combine(_home, "token"), content);

    [Fact]
    public void Explicit_token_wins_over_environment_and_file()
    {
        Environment.SetEnvironmentVariable("HF_TOKEN", "hf_from_env");
        WriteTokenFile("hf_from_file");

        Assert.Equal("hf_explicit", HubTokenResolver.Resolve("hf_explicit"));
    }

    [Fact]
    public void HF_TOKEN_wins_over_the_token_file()
    {
        Environment.SetEnvironmentVariable("HF_TOKEN", "hf_from_env");
        WriteTokenFile("hf_from_file");

        Assert.Equal("hf_from_env", HubTokenResolver.Resolve());
        Assert.Equal("hf_from_env", HubTokenResolver.Resolve("  "));
    }

    [Fact]
    public void Token_file_under_HF_HOME_is_used_last_and_trimmed()
    {
        WriteTokenFile("  hf_from_file\n");

        Assert.Equal(Path.Combine(_home, "token"), HubTokenResolver.TokenFilePath());
        Assert.Equal("hf_from_file", HubTokenResolver.Resolve());
    }

    [Fact]
    public void HF_TOKEN_PATH_points_at_another_token_file()
    {
        var other = Path.Combine(_home, "elsewhere");
        File.WriteAllText(other, "hf_other");
        Environment.SetEnvironmentVariable("HF_TOKEN_PATH", other);

        Assert.Equal("hf_other", HubTokenResolver.Resolve());
    }

    [Fact]
    public void No_token_anywhere_means_anonymous()
    {
        Environment.SetEnvironmentVariable("HF_TOKEN", "");
        WriteTokenFile("\n");

        Assert.Null(HubTokenResolver.Resolve());
    }

    [Fact]
    public void Default_token_file_is_under_the_user_cache_folder()
    {
        Environment.SetEnvironmentVariable("HF_HOME", null);
        var expected = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "token");

        Assert.Equal(expected, HubTokenResolver.TokenFilePath());
    }

    [Fact]
    public void FromEnvironment_takes_endpoint_from_HF_ENDPOINT_and_token_from_HF_TOKEN()
    {
        using (var defaults = HubClient.FromEnvironment())
        {
            Assert.Equal("https://huggingface.co/", defaults.Endpoint.ToString());
            Assert.False(defaults.HasToken);
        }

        Environment.SetEnvironmentVariable("HF_ENDPOINT", "http://127.0.0.1:1234/");
        Environment.SetEnvironmentVariable("HF_TOKEN", "hf_env_secret");
        using (var client = HubClient.FromEnvironment())
        {
            Assert.Equal("http://127.0.0.1:1234/", client.Endpoint.ToString());
            Assert.True(client.HasToken);
            Assert.DoesNotContain("hf_env_secret", client.ToString());
        }

        using var overridden = HubClient.FromEnvironment(token: "hf_x", endpoint: "http://localhost:9");
        Assert.Equal("http://localhost:9/", overridden.Endpoint.ToString());
        Assert.Equal("hf_x", overridden.Options.Token);
    }

    [Fact]
    public async Task Token_from_the_environment_authenticates_against_the_local_hub()
    {
        using var hub = new TestHub(requiredToken: TestHub.Token);
        var sha = hub.Seed("acme/env", new Dictionary<string, byte[]> { ["a.txt"] = TestHub.Utf8("a") });
        Environment.SetEnvironmentVariable("HF_ENDPOINT", hub.Server.Endpoint);
        WriteTokenFile(TestHub.Token);

        using var client = HubClient.FromEnvironment();
        var info = await client.GetDatasetInfoAsync("acme/env");

        Assert.Equal(sha, info.Sha);
        Assert.All(hub.Log.Entries, r => Assert.True(r.HasAuthorization));
    }
}
