using WasmHarness.Wast;
using WasmHarness.Wast.Wasi;

// Compiled into every test project that reads a suite (linked from tests/Shared), so they all find the suites the
// way the spec runner does (SuiteLocator) and skip, with the reason, where a suite is missing: a clone without the
// submodules still reports 0 failed, and says which tests did not run and why.
namespace WasmHarness.Tests.Shared;

/// <summary>The official core suite for tests: its root, or why it is missing.</summary>
public static class CoreSuite
{
    private static readonly Lazy<(string? Root, string? MissingReason)> s_found = new(SuiteLocator.ForTests);

    /// <summary>The suite's root; only read by tests marked <see cref="CoreSuiteFactAttribute"/> or <see cref="CoreSuiteTheoryAttribute"/>.</summary>
    public static string Root => s_found.Value.Root ?? throw new InvalidOperationException(s_found.Value.MissingReason);

    /// <summary>The root, or null where the suite is missing.</summary>
    public static string? RootOrNull => s_found.Value.Root;

    /// <summary>Why tests of the suite skip; null when it was found.</summary>
    public static string? MissingReason => s_found.Value.MissingReason;
}

/// <summary>The official WASI suite for tests: its root, or why it is missing.</summary>
public static class WasiSuite
{
    private static readonly Lazy<(string? Root, string? MissingReason)> s_found = new(WasiSuiteLocator.ForTests);

    /// <summary>The suite's root; only read by tests marked <see cref="WasiSuiteTheoryAttribute"/> or <see cref="WasiSuiteFactAttribute"/>.</summary>
    public static string Root => s_found.Value.Root ?? throw new InvalidOperationException(s_found.Value.MissingReason);

    /// <summary>Why tests of the suite skip; null when it was found.</summary>
    public static string? MissingReason => s_found.Value.MissingReason;
}

/// <summary>A fact that reads the official core suite: skipped, with the reason, where the suite is missing.</summary>
public sealed class CoreSuiteFactAttribute : FactAttribute
{
    /// <summary>Skips when <see cref="CoreSuite.MissingReason"/> says so.</summary>
    public CoreSuiteFactAttribute() => Skip = CoreSuite.MissingReason!;
}

/// <summary>A theory over the official core suite: skipped, with the reason, where the suite is missing (its data is then not read).</summary>
public sealed class CoreSuiteTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips when <see cref="CoreSuite.MissingReason"/> says so.</summary>
    public CoreSuiteTheoryAttribute() => Skip = CoreSuite.MissingReason!;
}

/// <summary>A fact that reads the official WASI suite: skipped, with the reason, where the suite is missing.</summary>
public sealed class WasiSuiteFactAttribute : FactAttribute
{
    /// <summary>Skips when <see cref="WasiSuite.MissingReason"/> says so.</summary>
    public WasiSuiteFactAttribute() => Skip = WasiSuite.MissingReason!;
}

/// <summary>A theory over the official WASI suite: skipped, with the reason, where the suite is missing.</summary>
public sealed class WasiSuiteTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips when <see cref="WasiSuite.MissingReason"/> says so.</summary>
    public WasiSuiteTheoryAttribute() => Skip = WasiSuite.MissingReason!;
}

/// <summary>An FsCheck property over the official core suite: skipped, with the reason, where the suite is missing.</summary>
public sealed class CoreSuitePropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    /// <summary>Skips when <see cref="CoreSuite.MissingReason"/> says so.</summary>
    public CoreSuitePropertyAttribute() => Skip = CoreSuite.MissingReason!;
}
