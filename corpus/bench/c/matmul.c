/* Dense double-precision matrix multiply, C = A * B, in i-k-j order (the cache-friendly loop nest that
 * compilers vectorize natively), repeated; the checksum covers every element of C. */
#include "bench.h"

#define MAX_N 256

static double a[MAX_N * MAX_N], b[MAX_N * MAX_N], c[MAX_N * MAX_N];

static void multiply(int n) {
  for (int i = 0; i < n * n; i++) c[i] = 0.0;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      double aik = a[i * n + k];
      for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv);
  int n = scale == 0 ? 32 : 160;
  int rounds = scale == 0 ? 1 : 40 * scale;
  for (int i = 0; i < n * n; i++) {
    a[i] = (double)(bench_next() % 1000) / 100.0 - 5.0;
    b[i] = (double)(bench_next() % 1000) / 100.0 - 5.0;
  }
  uint64_t h = 0xcbf29ce484222325ull;
  for (int r = 0; r < rounds; r++) {
    multiply(n);
    a[r % (n * n)] += 1.0; /* each round differs, so no round can be skipped */
    for (int i = 0; i < n * n; i++) h = bench_mix_double(h, c[i]);
  }
  return bench_report("matmul", h);
}
