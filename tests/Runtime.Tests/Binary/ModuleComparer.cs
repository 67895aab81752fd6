using WasmHarness.Syntax;

namespace WasmHarness.Tests.Binary;

/// <summary>Assertions over <see cref="ModuleEquality"/>, names included.</summary>
public static class ModuleComparer
{
    /// <summary>Fails the test with the first difference, if any.</summary>
    public static void AssertEqual(Module expected, Module actual)
    {
        var difference = ModuleEquality.FirstDifference(expected, actual, compareNames: true);
        Assert.True(difference is null, difference);
    }
}
