using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ArmIsa = System.Runtime.Intrinsics.Arm;
using X86Isa = System.Runtime.Intrinsics.X86;

namespace WasmHarness.Wast;

/// <summary>
/// The instruction set the run's vector code ran on. The runtime's SIMD code uses only the portable
/// <see cref="Vector128"/> API and never branches on an instruction set itself; which code runs is decided by
/// RyuJIT (AdvSimd or SSE/AVX instructions) or, with <c>DOTNET_EnableHWIntrinsic=0</c>, by the base library's
/// software fallback. A run records which one it was, so a result proves the path it claims to.
/// </summary>
/// <param name="Architecture">The process architecture (<c>X64</c>, <c>Arm64</c>): under qemu user mode, the emulated one.</param>
/// <param name="Vector128Accelerated"><see cref="Vector128.IsHardwareAccelerated"/>: false means the software fallback ran.</param>
/// <param name="InstructionSets">The vector instruction sets RyuJIT may use in this process, widest last.</param>
public sealed record SimdPlatform(string Architecture, bool Vector128Accelerated, IReadOnlyList<string> InstructionSets)
{
    public static SimdPlatform Current { get; } = new(
        RuntimeInformation.ProcessArchitecture.ToString(),
        Vector128.IsHardwareAccelerated,
        [
            .. X86Isa.Sse2.IsSupported ? ["SSE2"] : Array.Empty<string>(),
            .. X86Isa.Sse41.IsSupported ? ["SSE4.1"] : Array.Empty<string>(),
            .. X86Isa.Avx2.IsSupported ? ["AVX2"] : Array.Empty<string>(),
            .. X86Isa.Avx512F.IsSupported ? ["AVX-512F"] : Array.Empty<string>(),
            .. ArmIsa.AdvSimd.IsSupported ? ["AdvSimd"] : Array.Empty<string>(),
        ]);

    /// <summary>One line for the console, e.g. <c>Arm64, Vector128 on hardware (AdvSimd)</c>.</summary>
    public override string ToString() => Vector128Accelerated
        ? $"{Architecture}, Vector128 on hardware ({string.Join(", ", InstructionSets)})"
        : $"{Architecture}, Vector128 in software (hardware intrinsics disabled)";
}
