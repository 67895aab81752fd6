using WasmHarness.Tests.Shared;
using WasmHarness.Wast;

namespace WasmHarness.Tests.Support;

/// <summary>
/// The official test suite for tests that read it, found by <see cref="SuiteLocator"/> as the spec runner finds it;
/// tests that use it are marked <see cref="CoreSuiteFactAttribute"/> or <see cref="CoreSuiteTheoryAttribute"/>, so
/// they skip with the reason where the suite is missing.
/// </summary>
public static class TestSuite
{
    /// <summary>The suite's root folder.</summary>
    public static string Root => CoreSuite.Root;

    /// <summary>The core scripts as xunit theory data, one case per script so a failure names its file.</summary>
    public static TheoryData<string> CoreScriptData() => [.. CoreScripts()];

    /// <summary>Every core <c>.wast</c> file (top level, <c>legacy/</c>, <c>custom/</c>), relative to the root.</summary>
    public static IEnumerable<string> CoreScripts() => SuiteFiles.Find(Root, [], includeProposals: false);
}
