// The part of POSIX threads that psum.c uses, over wasi-threads (`wasi.thread-spawn`) and the threads proposal's
// atomics, for a sysroot without threads (Debian's wasi-libc of 2022). Limits: threads must not call into libc
// (it was built single-threaded: malloc, stdio and errno are not thread-safe); attributes and return values are
// ignored. A sysroot with threads (wasi-sdk >= 20, --target=wasm32-wasi-threads) has the real <pthread.h>.
#ifndef WASI_PTHREAD_H
#define WASI_PTHREAD_H

#include <stdint.h>

typedef struct wasi_thread *pthread_t;
typedef struct {
    int unused;
} pthread_attr_t;
// 0 unlocked, 1 locked, 2 locked and maybe waited on (a futex mutex).
typedef struct {
    int32_t state;
} pthread_mutex_t;

#define PTHREAD_MUTEX_INITIALIZER {0}

int pthread_create(pthread_t *thread, const pthread_attr_t *attributes, void *(*start)(void *), void *argument);
int pthread_join(pthread_t thread, void **result);
int pthread_mutex_lock(pthread_mutex_t *mutex);
int pthread_mutex_unlock(pthread_mutex_t *mutex);

#endif
