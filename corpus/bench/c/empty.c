/* Not a kernel: the empty program whose native run is the process-startup baseline, and whose Wasm run is each
 * engine's fixed cost (instantiation, wasi-libc's start-up). The bench lists it apart from the kernels. */
int main(void) { return 0; }
