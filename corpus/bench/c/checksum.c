/* Checksums over a buffer, the way a file hasher or a network stack spends its time: table-driven CRC-32,
 * Adler-32 and FNV-1a 64 over a pseudo-random 1 MiB buffer, repeated with one byte changed each pass. */
#include "bench.h"

#define SIZE (1 << 20)

static unsigned char buffer[SIZE];
static uint32_t crc_table[256];

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static uint32_t adler32(const unsigned char *p, size_t n) {
  uint32_t s1 = 1, s2 = 0;
  while (n > 0) {
    size_t block = n < 5552 ? n : 5552; /* the largest run before the sums can overflow */
    n -= block;
    while (block--) {
      s1 += *p++;
      s2 += s1;
    }
    s1 %= 65521;
    s2 %= 65521;
  }
  return (s2 << 16) | s1;
}

static uint64_t fnv1a(const unsigned char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001B3ull;
  return h;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv);
  size_t size = scale == 0 ? 4096 : SIZE;
  int rounds = scale == 0 ? 2 : 14 * scale;
  crc_init();
  for (size_t i = 0; i < size; i += 8) {
    uint64_t r = bench_next();
    for (int k = 0; k < 8; k++) buffer[i + k] = (unsigned char)(r >> (8 * k));
  }
  uint64_t h = 0;
  for (int r = 0; r < rounds; r++) {
    buffer[(size_t)r * 7919 % size] ^= (unsigned char)r;
    h = h * 31 + crc32(buffer, size);
    h = h * 31 + adler32(buffer, size);
    h ^= fnv1a(buffer, size);
  }
  return bench_report("checksum", h);
}
