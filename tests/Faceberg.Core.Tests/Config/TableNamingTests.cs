using Faceberg.Core.Config;

namespace Faceberg.Core.Tests.Config;

public sealed class TableNamingTests
{
    [Theory]
    [InlineData("dataset1", "config1", "default.dataset1_config1")]
    [InlineData("iris", "default", "default.iris_default")]
    [InlineData("t", "en-fr", "default.t_en-fr")]
    [InlineData("t", "v1.0 beta", "default.t_v1_0_beta")]
    public void Table_name_is_dataset_underscore_config_in_default(string dataset, string config, string expected) =>
        Assert.Equal(expected, TableNaming.TableName(dataset, config).ToString());

    [Theory]
    [InlineData("demo/movie-reviews", "movie_reviews")]
    [InlineData("org/3d.models", "_3d_models")]
    public void Dataset_name_from_repo(string repo, string expected) =>
        Assert.Equal(expected, TableNaming.DatasetNameFromRepo(repo));
}
