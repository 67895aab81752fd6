// The wasmtime-style command line: run, --invoke, --dir, wast, compile.
// Not built yet: see issue 7. Until then this program says so and fails, rather than pretending.
Console.Error.WriteLine("harness: not implemented yet (issue 7).");
return 2;
