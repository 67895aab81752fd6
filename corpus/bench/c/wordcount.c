/* A word-frequency count: splits generated text into words and counts them in an open-addressing hash table
 * of strings (the shape of a symbol table or a log analyser): hashing, string compares, probing. */
#include <string.h>
#include "bench.h"

#define TABLE (1 << 16)
#define TEXT (1 << 20)

typedef struct { const char *word; int length; uint32_t count; } entry;

static entry table[TABLE];
static char text[TEXT + 1];

static uint32_t hash(const char *s, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static void count(const char *word, int length) {
  uint32_t i = hash(word, length) & (TABLE - 1);
  while (table[i].word != NULL) {
    if (table[i].length == length && memcmp(table[i].word, word, (size_t)length) == 0) {
      table[i].count++;
      return;
    }
    i = (i + 1) & (TABLE - 1);
  }
  table[i] = (entry){word, length, 1};
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv);
  size_t n = scale == 0 ? 16384 : TEXT;
  int rounds = scale == 0 ? 1 : 20 * scale;
  static const char syllables[][4] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "an", "el", "or", "us"};
  size_t filled = 0;
  while (filled + 16 < n) {
    uint64_t r = bench_next();
    int parts = 1 + (int)(r % 3); /* about 1 700 distinct words, Zipf-like through the skewed pick below */
    for (int k = 0; k < parts; k++) {
      const char *s = syllables[(r >> (4 + 4 * k)) % 12 % (k == 0 ? 12 : 6)];
      text[filled++] = s[0];
      text[filled++] = s[1];
    }
    text[filled++] = (r >> 30) % 7 == 0 ? '\n' : ' ';
  }
  text[filled] = 0;
  uint64_t h = 0xcbf29ce484222325ull;
  for (int r = 0; r < rounds; r++) {
    memset(table, 0, sizeof table);
    const char *p = text;
    while (*p) {
      while (*p == ' ' || *p == '\n') p++;
      const char *start = p;
      while (*p && *p != ' ' && *p != '\n') p++;
      if (p > start) count(start, (int)(p - start));
    }
    for (int i = 0; i < TABLE; i++)
      if (table[i].word) h = (h ^ (table[i].count * 31u + (uint32_t)i)) * 0x100000001B3ull;
  }
  return bench_report("wordcount", h);
}
