// psum: a parallel sum with POSIX threads and a mutex (wasi-threads). Each of T threads sums f(i) over its slice of
// [0, N), then adds its partial sum to the shared total under a mutex; the total does not depend on T, so runs with
// 1 and 4 threads print the same line. Usage: psum [THREADS [N]] (defaults 4 and 40000000).
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#ifdef WASI_PTHREAD_LAYER
#include "wasi_pthread.h" // Debian's wasi-libc predates threads: the minimal layer beside this file (build.sh)
#else
#include <pthread.h> // a wasi-threads sysroot (wasi-sdk >= 20, --target=wasm32-wasi-threads): the real thing
#endif

#define MAX_THREADS 64

static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t total;
static uint32_t threads_done;

struct slice {
    uint64_t begin, end;
};

// A little arithmetic per element (a 32-bit hash), so the loop is bound by computation, not by memory.
static uint32_t f(uint64_t i) {
    uint32_t x = (uint32_t)i * 2654435761u;
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return x & 0xffff;
}

static void *worker(void *argument) {
    const struct slice *slice = argument;
    uint64_t sum = 0;
    for (uint64_t i = slice->begin; i < slice->end; i++) {
        sum += f(i);
    }
    pthread_mutex_lock(&total_lock);
    total += sum;
    threads_done++;
    pthread_mutex_unlock(&total_lock);
    return NULL;
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 4;
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 40000000u;
    if (count < 1 || count > MAX_THREADS) {
        fprintf(stderr, "psum: THREADS must be 1 to %d\n", MAX_THREADS);
        return 2;
    }
    pthread_t threads[MAX_THREADS];
    struct slice slices[MAX_THREADS];
    for (int t = 0; t < count; t++) {
        slices[t].begin = n * t / count;
        slices[t].end = n * (t + 1) / count;
        int error = pthread_create(&threads[t], NULL, worker, &slices[t]);
        if (error != 0) {
            fprintf(stderr, "psum: pthread_create failed: %d\n", error);
            return 1;
        }
    }
    for (int t = 0; t < count; t++) {
        pthread_join(threads[t], NULL);
    }
    printf("sum of f(i) for i < %llu: %llu (%u threads)\n", (unsigned long long)n, (unsigned long long)total, threads_done);
    return 0;
}
