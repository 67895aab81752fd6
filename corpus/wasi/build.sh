#!/usr/bin/env bash
# Builds the WASI test programs in this folder to build/*.wasm with Debian's clang and wasi-libc:
#   apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
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
echo "built in $OUT: $(ls "$OUT" | tr '\n' ' ')"
