/* Sorting 32-bit keys: an introsort-like quicksort (median of three, insertion sort for small ranges) and a
 * bottom-up merge sort of the same data; both results must be sorted and identical. */
#include "bench.h"

#define MAX (1 << 19)

static uint32_t keys[MAX], copy[MAX], scratch[MAX];

static void insertion(uint32_t *v, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    uint32_t x = v[i];
    int j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void swap(uint32_t *v, int i, int j) {
  uint32_t t = v[i];
  v[i] = v[j];
  v[j] = t;
}

static void quicksort(uint32_t *v, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    uint32_t pivot = v[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) swap(v, i++, j--);
    }
    /* recurse into the smaller half, loop on the larger: the depth stays logarithmic */
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion(v, lo, hi);
}

static void mergesort(uint32_t *v, int n) {
  uint32_t *from = v, *to = scratch;
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) to[k++] = from[i] <= from[j] ? from[i++] : from[j++];
      while (i < mid) to[k++] = from[i++];
      while (j < hi) to[k++] = from[j++];
    }
    uint32_t *t = from;
    from = to;
    to = t;
  }
  if (from != v)
    for (int i = 0; i < n; i++) v[i] = from[i];
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv);
  int n = scale == 0 ? 5000 : MAX;
  int rounds = scale == 0 ? 1 : scale;
  uint64_t h = 0xcbf29ce484222325ull;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < n; i++) keys[i] = copy[i] = (uint32_t)(bench_next() >> 40) % (uint32_t)(n * 4);
    quicksort(keys, 0, n - 1);
    mergesort(copy, n);
    for (int i = 0; i < n; i++) {
      if (keys[i] != copy[i] || (i > 0 && keys[i - 1] > keys[i])) {
        printf("sort: mismatch at %d\n", i);
        return 1;
      }
      h = (h ^ keys[i]) * 0x100000001B3ull;
    }
  }
  return bench_report("sort", h);
}
