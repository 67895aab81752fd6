// The wasmtime-style command line: `harness [run] [options] module [--] [args...]`, `harness wast FILE...`,
// `harness compile`. See Harness.cs.
return WasmHarness.Cli.Harness.Execute(args, WasmHarness.Cli.HostStreams.Inherit());
