#!/usr/bin/env bash
# Builds the WASI test programs in this folder to build/*.wasm with Debian's clang and wasi-libc:
#   apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 python3
# Flags: --target=wasm32-wasi picks Debian's sysroot (/usr/{include,lib}/wasm32-wasi) by itself; -fuse-ld=lld
# makes clang call wasm-ld-14. Override the compiler with CC=...
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-$(command -v clang-14 || command -v clang)}
OUT=${OUT:-build}
mkdir -p "$OUT"
for source in *.c; do
  "$CC" --target=wasm32-wasi -O2 -fuse-ld=lld -Wall -Werror -o "$OUT/${source%.c}.wasm" "$source"
done
# threads/psum.c: POSIX threads over wasi-threads. clang's -pthread turns on atomics and bulk memory and links a
# shared memory, imported (so each thread's instance imports the same one). Debian's wasi-libc (2022) has no
# pthreads and was built without atomics: WASI_PTHREAD_LAYER selects the small layer in threads/, and
# --no-check-features lets wasm-ld put its objects in a shared memory, which is sound because only the main thread
# calls libc. With a wasi-threads sysroot (wasi-sdk >= 20) build psum.c alone with --target=wasm32-wasi-threads -pthread
# (its wasm-ld exports the memory itself).
"$CC" --target=wasm32-wasi -pthread -O2 -fuse-ld=lld -Wall -Werror -DWASI_PTHREAD_LAYER \
  -Wl,--no-check-features -Wl,--import-memory,--max-memory=67108864 \
  -o "$OUT/psum.wasm" threads/psum.c threads/wasi_pthread.c threads/wasi_thread_start.s
python3 threads/export_memory.py "$OUT/psum.wasm" # wasm-ld 14 has no --export-memory
echo "built in $OUT: $(ls "$OUT" | tr '\n' ' ')"
