// wasi_pthread.h over wasi-threads: a thread is a new instance of this module sharing its memory, entered at the
// export wasi_thread_start (wasi_thread_start.s), which points the new instance's stack pointer into the stack
// allocated here and calls wasi_pthread_main.
#include "wasi_pthread.h"

#include <errno.h>
#include <stdlib.h>

#define STACK_SIZE (64 * 1024)

// The block handed to the new thread; its first field is read by wasi_thread_start.s (keep it first).
struct wasi_thread {
    uint8_t *stack_top;
    void *(*start)(void *);
    void *argument;
    void *result;
    int32_t done; // 0 running, 1 finished: waited on by pthread_join
    uint8_t *stack;
};

__attribute__((import_module("wasi"), import_name("thread-spawn"))) int32_t wasi_thread_spawn(void *start_argument);

// Called by wasi_thread_start once the stack pointer is set.
void wasi_pthread_main(int32_t id, struct wasi_thread *thread) {
    (void)id;
    thread->result = thread->start(thread->argument);
    __atomic_store_n(&thread->done, 1, __ATOMIC_SEQ_CST);
    __builtin_wasm_memory_atomic_notify(&thread->done, 1);
}

int pthread_create(pthread_t *result, const pthread_attr_t *attributes, void *(*start)(void *), void *argument) {
    (void)attributes;
    struct wasi_thread *thread = calloc(1, sizeof *thread);
    uint8_t *stack = thread ? malloc(STACK_SIZE) : NULL;
    if (stack == NULL) {
        free(thread);
        return EAGAIN;
    }
    thread->stack = stack;
    thread->stack_top = stack + STACK_SIZE; // the stack grows down; 16-byte aligned as malloc's blocks are
    thread->start = start;
    thread->argument = argument;
    if (wasi_thread_spawn(thread) < 0) {
        free(stack);
        free(thread);
        return EAGAIN;
    }
    *result = thread;
    return 0;
}

int pthread_join(pthread_t thread, void **result) {
    while (__atomic_load_n(&thread->done, __ATOMIC_SEQ_CST) == 0) {
        __builtin_wasm_memory_atomic_wait32(&thread->done, 0, -1);
    }
    if (result != NULL) {
        *result = thread->result;
    }
    free(thread->stack);
    free(thread);
    return 0;
}

int pthread_mutex_lock(pthread_mutex_t *mutex) {
    int32_t seen = 0;
    if (__atomic_compare_exchange_n(&mutex->state, &seen, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        return 0;
    }
    // Contended: mark it waited on (2) and sleep until an unlock hands it over.
    if (seen != 2) {
        seen = __atomic_exchange_n(&mutex->state, 2, __ATOMIC_SEQ_CST);
    }
    while (seen != 0) {
        __builtin_wasm_memory_atomic_wait32(&mutex->state, 2, -1);
        seen = __atomic_exchange_n(&mutex->state, 2, __ATOMIC_SEQ_CST);
    }
    return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *mutex) {
    if (__atomic_exchange_n(&mutex->state, 0, __ATOMIC_SEQ_CST) == 2) {
        __builtin_wasm_memory_atomic_notify(&mutex->state, 1);
    }
    return 0;
}
