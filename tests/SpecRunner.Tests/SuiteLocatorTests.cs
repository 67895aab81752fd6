using WasmHarness.Tests.Shared;
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

    [CoreSuiteFact]
    public void Without_options_the_suite_is_found_beside_the_repository()
    {
        var (root, tried) = SuiteLocator.Locate(null, AppContext.BaseDirectory);
        Assert.True(root is not null, "suite not found; tried: " + string.Join(", ", tried));
        Assert.True(File.Exists(Path.Combine(root, "address.wast")));
    }

    [Fact]
    public void The_variable_is_final_and_none_turns_the_fallbacks_off()
    {
        // Started inside the repository, where corpus/testsuite or ../shared/wasm-testsuite may exist: neither is used.
        var (none, tried) = SuiteLocator.Locate(SuiteLocator.Core, null, AppContext.BaseDirectory, name => name == SuiteLocator.Variable ? SuiteLocator.Disabled : null);
        Assert.Null(none);
        Assert.Equal(["WASM_TESTSUITE=none"], tried);

        var (wrong, _) = SuiteLocator.Locate(SuiteLocator.Core, null, AppContext.BaseDirectory, name => name == SuiteLocator.Variable ? "/nonexistent/suite" : null);
        Assert.Null(wrong);
    }

    [Fact]
    public void A_missing_suite_is_explained_with_the_places_tried()
    {
        var message = SuiteLocator.Missing(["WASM_TESTSUITE=none"]);
        Assert.Equal("the WebAssembly test suite was not found (tried: WASM_TESTSUITE=none); get it with `git submodule update --init --depth 1 corpus/testsuite`, or set WASM_TESTSUITE or pass --suite DIR", message);
    }

    [Fact]
    public void Any_folder_of_scripts_is_a_suite_searched_recursively_with_filters_on_relative_paths()
    {
        var root = Directory.CreateTempSubdirectory("scripts");
        try
        {
            foreach (var file in new[] { "b.wast", "deep/er/c.wast", "a/x.wast", "legacy/l.wast", "proposals/p/q.wast", ".hidden/h.wast", "notes.txt" })
            {
                var path = Path.Combine(root.FullName, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, "");
            }
            var (found, _) = SuiteLocator.Locate(root.FullName, Directory.GetCurrentDirectory());
            Assert.Equal(root.FullName, found);
            Assert.False(SuiteLocator.IsOfficial(root.FullName));

            // Core folders first in their order, then the other folders, proposals only when asked.
            Assert.Equal(["b.wast", "legacy/l.wast", "a/x.wast", "deep/er/c.wast"], SuiteFiles.Find(root.FullName, [], includeProposals: false));
            Assert.Equal(["b.wast", "legacy/l.wast", "a/x.wast", "deep/er/c.wast", "proposals/p/q.wast"], SuiteFiles.Find(root.FullName, [], includeProposals: true));
            Assert.Equal(["deep/er/c.wast"], SuiteFiles.Find(root.FullName, ["deep/*"], includeProposals: false));
            Assert.Equal(["deep/er/c.wast"], SuiteFiles.Find(root.FullName, ["c"], includeProposals: false));

            var empty = Directory.CreateTempSubdirectory("empty");
            Assert.Null(SuiteLocator.Locate(empty.FullName, Directory.GetCurrentDirectory()).Root);
            empty.Delete();
        }
        finally
        {
            root.Delete(recursive: true);
        }
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
