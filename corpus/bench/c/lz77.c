/* An LZ77 compressor with a hash-chain match finder (the inner loop of deflate or LZ4) and its decompressor,
 * over text-like data with repetitions; the round trip must reproduce the input. Checksum: compressed size and
 * an FNV-1a hash of the compressed stream. */
#include <string.h>
#include "bench.h"

#define SIZE (1 << 19)
#define WINDOW 32768
#define HASH_BITS 15
#define MIN_MATCH 4
#define MAX_MATCH 258
#define CHAIN 32

static unsigned char input[SIZE], packed[SIZE + SIZE / 2], unpacked[SIZE];
static int head[1 << HASH_BITS], prev[SIZE];

static unsigned hash4(const unsigned char *s) {
  uint32_t v = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
  return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Format: a literal run is 0x00-0x7F (length-1) then the bytes; a match is 0x80 | (length-MIN_MATCH) high bits... kept
 * simple: tag byte 1 + 2-byte distance + 1-byte length for matches, tag 0 + 1-byte count for literal runs. */
static size_t compress(const unsigned char *in, size_t n, unsigned char *out) {
  size_t o = 0, i = 0, literal_start = 0;
  for (int k = 0; k < (1 << HASH_BITS); k++) head[k] = -1;
  while (i < n) {
    int best_len = 0, best_dist = 0;
    if (i + MIN_MATCH <= n) {
      unsigned h = hash4(in + i);
      int candidate = head[h], chain = CHAIN;
      while (candidate >= 0 && i - (size_t)candidate <= WINDOW && chain-- > 0) {
        int len = 0, max = (int)(n - i < MAX_MATCH ? n - i : MAX_MATCH);
        while (len < max && in[candidate + len] == in[i + len]) len++;
        if (len > best_len) {
          best_len = len;
          best_dist = (int)(i - (size_t)candidate);
        }
        candidate = prev[candidate];
      }
      prev[i] = head[h];
      head[h] = (int)i;
    }
    if (best_len >= MIN_MATCH) {
      while (literal_start < i) {
        size_t run = i - literal_start < 255 ? i - literal_start : 255;
        out[o++] = 0;
        out[o++] = (unsigned char)run;
        memcpy(out + o, in + literal_start, run);
        o += run;
        literal_start += run;
      }
      out[o++] = 1;
      out[o++] = (unsigned char)(best_dist & 0xFF);
      out[o++] = (unsigned char)(best_dist >> 8);
      out[o++] = (unsigned char)(best_len - MIN_MATCH);
      for (size_t end = i + (size_t)best_len, j = i + 1; j < end && j + MIN_MATCH <= n; j++) {
        unsigned h = hash4(in + j);
        prev[j] = head[h];
        head[h] = (int)j;
      }
      i += (size_t)best_len;
      literal_start = i;
    } else {
      i++;
    }
  }
  while (literal_start < n) {
    size_t run = n - literal_start < 255 ? n - literal_start : 255;
    out[o++] = 0;
    out[o++] = (unsigned char)run;
    memcpy(out + o, in + literal_start, run);
    o += run;
    literal_start += run;
  }
  return o;
}

static size_t decompress(const unsigned char *in, size_t n, unsigned char *out) {
  size_t i = 0, o = 0;
  while (i < n) {
    if (in[i] == 0) {
      size_t run = in[i + 1];
      memcpy(out + o, in + i + 2, run);
      o += run;
      i += 2 + run;
    } else {
      size_t dist = (size_t)in[i + 1] | (size_t)in[i + 2] << 8, len = (size_t)in[i + 3] + MIN_MATCH;
      for (size_t k = 0; k < len; k++, o++) out[o] = out[o - dist]; /* byte by byte: matches may overlap */
      i += 4;
    }
  }
  return o;
}

int main(int argc, char **argv) {
  static const char *const words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ",
                                      "wasm ", "module ", "function ", "memory ", "table ", "\n", "import ", "export "};
  int scale = bench_scale(argc, argv);
  size_t n = scale == 0 ? 16384 : SIZE;
  int rounds = scale == 0 ? 1 : 5 * scale;
  size_t filled = 0;
  while (filled < n) {
    uint64_t r = bench_next();
    const char *w = words[r % 16];
    if ((r >> 8) % 8 == 0) input[filled++] = (unsigned char)(r >> 16); /* noise, so not everything matches */
    while (*w && filled < n) input[filled++] = (unsigned char)*w++;
  }
  uint64_t h = 0xcbf29ce484222325ull;
  for (int r = 0; r < rounds; r++) {
    input[(size_t)r * 104729 % n] ^= 0x20;
    size_t packed_size = compress(input, n, packed);
    size_t unpacked_size = decompress(packed, packed_size, unpacked);
    if (unpacked_size != n || memcmp(unpacked, input, n) != 0) {
      printf("lz77: round trip failed\n");
      return 1;
    }
    h = (h ^ packed_size) * 0x100000001B3ull;
    for (size_t k = 0; k < packed_size; k++) h = (h ^ packed[k]) * 0x100000001B3ull;
  }
  return bench_report("lz77", h);
}
