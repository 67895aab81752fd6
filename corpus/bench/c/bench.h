/* Shared by the benchmark kernels: a deterministic generator, the size argument and the checksum line.
 * Every kernel prints exactly one line, "NAME checksum HEX", which every engine must reproduce bit for bit
 * before it is timed. argv[1], when given, scales the work (default 1 = the benchmark size); 0 is the
 * smallest useful run, for quick correctness checks. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t bench_state = 0x9E3779B97F4A7C15ull;

/* xorshift64*: fast, and identical on every target (no libc rand()). */
static inline uint64_t bench_next(void) {
  bench_state ^= bench_state >> 12;
  bench_state ^= bench_state << 25;
  bench_state ^= bench_state >> 27;
  return bench_state * 0x2545F4914F6CDD1Dull;
}

static inline int bench_scale(int argc, char **argv) {
  return argc > 1 ? atoi(argv[1]) : 1;
}

static inline int bench_report(const char *name, uint64_t checksum) {
  printf("%s checksum %016llx\n", name, (unsigned long long)checksum);
  return 0;
}

/* Mixes a double's bits into a checksum (exact: every engine must produce the same bits). */
static inline uint64_t bench_mix_double(uint64_t h, double d) {
  union { double d; uint64_t u; } v = { d };
  return (h ^ v.u) * 0x100000001B3ull;
}

#endif
