using WasmHarness.Wast;

namespace WasmHarness.SpecRunner.Tests;

public sealed class SuiteLocatorTests
{
    [Fact]
    public void An_explicit_suite_folder_wins_and_a_wrong_one_is_reported()
    {
        var fake = Directory.CreateTempSubdirectory("suite");
        try
        {
            File.WriteAllText(Path.Combine(fake.FullName, "address.wast"), "");
            var (root, _) = SuiteLocator.Locate(fake.FullName, Directory.GetCurrentDirectory());
            Assert.Equal(fake.FullName, root);

            var (missing, tried) = SuiteLocator.Locate(Path.Combine(fake.FullName, "nope"), Directory.GetCurrentDirectory());
            Assert.Null(missing);
            Assert.Contains(tried, place => place.Contains("nope", StringComparison.Ordinal));
        }
        finally
        {
            fake.Delete(recursive: true);
        }
    }

    [Fact]
    public void Without_options_the_suite_is_found_beside_the_repository()
    {
        var (root, tried) = SuiteLocator.Locate(null, AppContext.BaseDirectory);
        Assert.True(root is not null, "suite not found; tried: " + string.Join(", ", tried));
        Assert.True(File.Exists(Path.Combine(root, "address.wast")));
    }

    [Theory]
    [InlineData("simd_*", "simd_lane.wast", true)]
    [InlineData("simd_*", "legacy/throw.wast", false)]
    [InlineData("legacy/*", "legacy/throw.wast", true)]
    [InlineData("throw", "legacy/throw.wast", true)]
    [InlineData("throw", "throw_ref.wast", false)]
    public void Filters_match_paths_and_names(string filter, string file, bool expected)
    {
        var root = Directory.CreateTempSubdirectory("suite");
        try
        {
            var path = Path.Combine(root.FullName, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
            var found = SuiteFiles.Find(root.FullName, [filter], includeProposals: false);
            Assert.Equal(expected, found.Contains(file));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("unknown memory 0", "unknown memory", true)]
    [InlineData("type mismatch", "type mismatch", true)]
    [InlineData("unknown memory", "unknown memory 0", false)]
    [InlineData(null, "type mismatch", false)]
    public void Messages_match_by_prefix_as_in_the_reference_interpreter(string? actual, string expected, bool matches) =>
        Assert.Equal(matches, ModuleLevelJudge.MessageMatches(actual, expected));
}
