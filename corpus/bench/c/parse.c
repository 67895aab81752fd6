/* A tokenizer and recursive-descent evaluator, the branchy shape of an interpreter or a JSON/config parser:
 * generates a text of arithmetic statements ("v3 = (v1 + 42) * v7 % 1000;"), then parses and evaluates it
 * several times. Integer arithmetic on 32-bit values with wrap-around, so every target agrees. */
#include <string.h>
#include "bench.h"

#define VARS 26
#define TEXT_MAX (1 << 20)

static char text[TEXT_MAX];
static const char *p;
static uint32_t vars[VARS];
static int depth;

static void emit(char **out, const char *s) {
  while (*s) *(*out)++ = *s++;
}

static void gen_expr(char **out, int level) {
  uint64_t r = bench_next();
  if (level > 3 || r % 4 == 0) {
    char buf[16];
    if (r & 16) {
      snprintf(buf, sizeof buf, "%c", 'a' + (int)(r >> 8) % VARS);
    } else {
      snprintf(buf, sizeof buf, "%u", (unsigned)(r >> 16) % 10000);
    }
    emit(out, buf);
    return;
  }
  static const char *const ops[] = {" + ", " - ", " * ", " % ", " & ", " ^ "};
  int paren = (r >> 5) & 1;
  if (paren) emit(out, "(");
  gen_expr(out, level + 1);
  emit(out, ops[(r >> 7) % 6]);
  gen_expr(out, level + 1);
  if (paren) emit(out, ")");
}

static void skip_space(void) {
  while (*p == ' ' || *p == '\n' || *p == '\t') p++;
}

static uint32_t expr(void);

static uint32_t primary(void) {
  skip_space();
  if (*p == '(') {
    p++;
    if (++depth > 200) return 0; /* the generator never nests this deep; a bound keeps bad input finite */
    uint32_t v = expr();
    depth--;
    skip_space();
    if (*p == ')') p++;
    return v;
  }
  if (*p >= 'a' && *p <= 'z') return vars[*p++ - 'a'];
  uint32_t v = 0;
  while (*p >= '0' && *p <= '9') v = v * 10 + (uint32_t)(*p++ - '0');
  return v;
}

static uint32_t term(void) {
  uint32_t v = primary();
  for (;;) {
    skip_space();
    if (*p == '*') { p++; v *= primary(); }
    else if (*p == '%') { p++; uint32_t d = primary(); v = d == 0 ? v : v % d; }
    else if (*p == '&') { p++; v &= primary(); }
    else return v;
  }
}

static uint32_t expr(void) {
  uint32_t v = term();
  for (;;) {
    skip_space();
    if (*p == '+') { p++; v += term(); }
    else if (*p == '-') { p++; v -= term(); }
    else if (*p == '^') { p++; v ^= term(); }
    else return v;
  }
}

static uint64_t run(void) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (int i = 0; i < VARS; i++) vars[i] = (uint32_t)i * 2654435761u;
  p = text;
  for (;;) {
    skip_space();
    if (*p == 0) break;
    int target = *p++ - 'a';
    skip_space();
    if (*p == '=') p++;
    uint32_t v = expr();
    skip_space();
    if (*p == ';') p++;
    if (target >= 0 && target < VARS) vars[target] = v;
    h = (h ^ v) * 0x100000001B3ull;
  }
  return h;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv);
  size_t limit = scale == 0 ? 8192 : TEXT_MAX - 256;
  int rounds = scale == 0 ? 1 : 10 * scale;
  char *out = text;
  while ((size_t)(out - text) < limit) {
    *out++ = (char)('a' + (int)(bench_next() % VARS));
    emit(&out, " = ");
    gen_expr(&out, 0);
    emit(&out, ";\n");
  }
  *out = 0;
  uint64_t h = strlen(text);
  for (int r = 0; r < rounds; r++) h = h * 31 + run();
  return bench_report("parse", h);
}
