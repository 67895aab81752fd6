// wasm-flags: -msimd128
/* Loops written for auto-vectorization (the wasm build adds -msimd128, the native one gets SSE2 from -O2):
 * saxpy, a dot product, a 3-tap blur and a byte histogram-free brightness clamp, over float and byte arrays.
 * Float sums are reduced in integer-converted form per pass so every vector width gives the same result. */
#include "bench.h"

#define N 4096

static float x[N], y[N], z[N];
static unsigned char pixels[N * 4], out[N * 4];

static void saxpy(float a) {
  for (int i = 0; i < N; i++) y[i] = a * x[i] + y[i];
}

static void blur(void) {
  for (int i = 1; i < N - 1; i++) z[i] = (y[i - 1] + y[i] + y[i + 1]) * (1.0f / 3.0f);
}

static void brighten(unsigned char amount) {
  for (int i = 0; i < N * 4; i++) {
    unsigned v = (unsigned)pixels[i] + amount;
    out[i] = (unsigned char)(v > 255 ? 255 : v);
  }
}

static int32_t quantized_sum(void) {
  int32_t s = 0;
  for (int i = 0; i < N; i++) s += (int32_t)(z[i] * 16.0f);
  return s;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv);
  int rounds = scale == 0 ? 10 : 1500 * scale;
  for (int i = 0; i < N; i++) {
    x[i] = (float)(bench_next() % 2000) / 1000.0f - 1.0f;
    y[i] = (float)(bench_next() % 2000) / 1000.0f - 1.0f;
  }
  for (int i = 0; i < N * 4; i++) pixels[i] = (unsigned char)bench_next();
  uint64_t h = 0xcbf29ce484222325ull;
  for (int r = 0; r < rounds; r++) {
    saxpy(r % 2 ? 0.5f : -0.5f);
    blur();
    brighten((unsigned char)(r & 63));
    h = (h ^ (uint32_t)quantized_sum()) * 0x100000001B3ull;
    h = (h ^ out[r % (N * 4)]) * 0x100000001B3ull;
  }
  return bench_report("simd", h);
}
