// BenchmarkDotNet suites: interpreter vs JIT vs wasmtime vs native.
// Not built yet: see issue 10. Until then this program says so and fails, rather than pretending.
Console.Error.WriteLine("bench: not implemented yet (issue 10).");
return 2;
