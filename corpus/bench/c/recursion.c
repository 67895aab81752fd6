/* Call-heavy recursion: naive Fibonacci (about 7 million calls for fib(32)) and Ackermann's function
 * (deep, irregular recursion: ack(2, n) and ack(3, 6) stay within a few thousand frames). */
#include "bench.h"

/* noinline and a volatile seed keep the compiler from turning the recursion into a loop or a constant */
__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv);
  volatile uint32_t base = scale == 0 ? 18 : 32;
  int rounds = scale == 0 ? 1 : 4 * scale;
  uint64_t h = 0;
  for (int r = 0; r < rounds; r++) {
    h = h * 31 + fib(base + (uint32_t)(r & 1));
    h = h * 31 + ack(2, base * 20);
    h = h * 31 + ack(3, scale == 0 ? 3 : 6);
  }
  return bench_report("recursion", h);
}
